// The indirect GEMM driver: C = act(A * W + bias) for a convolution whose rows of A are read
// through an indirection buffer. Mirrors IgemmTile in native/kernels/gemm-driver.cc.
import { igemm4x8Simd } from './f32-gemm-4x8-wasmsimd';
import { edgeTile, panelBias } from './gemm-driver';
import { KC, MR, NR } from '../generated/kernels';

/**
 * rows of C (ldc floats apart) over panels [p0, p1) of W: n columns, K = taps * c. ind: the rows'
 * indirection buffer, tiles of MR from the first row (tile t, tap k, row i at (t * taps + k) *
 * MR + i). scratch: TILE_SCRATCH_BYTES of the caller's workspace.
 */
export function igemmTile(rows: i32, n: i32, p0: i32, p1: i32, taps: i32, c: i32, ind: usize, w: usize,
  y: usize, ldc: i32, bias: usize, minv: f32, maxv: f32, scratch: usize): void {
  const k = taps * c, ldcBytes = <usize>ldc << 2, tileBytes = <usize>(taps * MR) << 2;
  const tile = scratch, tileBias = scratch + MR * NR * 4;
  // Taps in blocks of at most KC rows of K (one tap when a tap has more channels), so that a
  // block of the panel stays in L1 across the row tiles; fixed by the shape, as native's.
  const tapBlock = max(1, KC / c);
  for (let t0 = 0; t0 < taps; t0 += tapBlock) {
    const tb = min(tapBlock, taps - t0);
    const accumulate = t0 > 0, epilogue = t0 + tb >= taps;
    const ind0 = ind + (<usize>(t0 * MR) << 2);
    for (let pi = p0; pi < p1; pi++) {
      const n0 = pi * NR, nc = min(NR, n - n0);
      const wp = w + ((<usize>pi * k + <usize>t0 * c) * NR << 2);
      const pb = panelBias(bias, n0, nc, tileBias);
      for (let i = 0; i < rows; i += MR) {
        const mr = min(MR, rows - i);
        const ip = ind0 + <usize>(i / MR) * tileBytes;
        const cp = y + <usize>i * ldcBytes + (<usize>n0 << 2);
        if (nc == NR || nc == NR / 2) {
          // Exactly half a panel (N = 24, 40, ...): the first half writes C directly.
          igemm4x8Simd(mr, tb, c, ip, wp, cp, ldcBytes, accumulate, epilogue, pb, minv, maxv);
          if (nc == NR) igemm4x8Simd(mr, tb, c, ip, wp + 32, cp + 32, ldcBytes, accumulate, epilogue, pb + 32, minv, maxv);
          continue;
        }
        if (accumulate) edgeTile(tile, NR * 4, cp, ldcBytes, mr, nc);
        igemm4x8Simd(mr, tb, c, ip, wp, tile, NR * 4, accumulate, epilogue, pb, minv, maxv);
        igemm4x8Simd(mr, tb, c, ip, wp + 32, tile + 32, NR * 4, accumulate, epilogue, pb + 32, minv, maxv);
        edgeTile(cp, ldcBytes, tile, NR * 4, mr, nc);
      }
    }
  }
}
