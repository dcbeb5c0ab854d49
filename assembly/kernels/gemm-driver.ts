// The blocked GEMM driver: C = act(A * W + bias) over packed W, in cache-sized blocks.
// Mirrors native/kernels/gemm-driver.cc; the blocking constants come from kernels.json.
import { gemm4x16Scalar } from './f32-gemm-4x16-scalar';
import { gemm1x16Simd, gemm1x32Simd, gemm4x8Simd } from './f32-gemm-4x8-wasmsimd';
import { MC, MR, NR } from '../generated/kernels';

/** Scratch a participant lends the driver for edge tiles: 4 x 16 floats of C, 32 of bias (two panels'). */
export const TILE_SCRATCH_BYTES: u32 = (MR * NR + 2 * NR) * 4;

// @ts-ignore: decorator
@inline
function micro(mr: i32, kc: i32, a: usize, lda: usize, w: usize, c: usize, ldc: usize,
  accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  if (ASC_FEATURE_SIMD) {
    if (mr == 1) {
      gemm1x16Simd(kc, a, w, c, accumulate, epilogue, bias, minv, maxv);
      return;
    }
    gemm4x8Simd(mr, kc, a, lda, w, c, ldc, accumulate, epilogue, bias, minv, maxv);
    gemm4x8Simd(mr, kc, a, lda, w + 32, c + 32, ldc, accumulate, epilogue, bias + 32, minv, maxv);
  } else {
    gemm4x16Scalar(mr, kc, a, lda, w, c, ldc, accumulate, epilogue, bias, minv, maxv);
  }
}

/**
 * Rows [m0, m1) and panels [p0, p1) of C[m x n] (+)= A[m x k] * W over steps [kBegin, kEnd) of
 * K, in blocks of kBlock rows (the plan's). lda and ldc are in floats. bias: n floats or 0.
 * epilogue: add the bias and clamp after the last step; without it C is a bare partial product
 * (a chunk of a split K). scratch: TILE_SCRATCH_BYTES of the caller's own workspace.
 */
export function gemmTile(m0: i32, m1: i32, p0: i32, p1: i32, n: i32, k: i32, kBegin: i32, kEnd: i32, kBlock: i32,
  a: usize, lda: i32, w: usize, c: usize, ldc: i32, bias: usize, minv: f32, maxv: f32, accumulateFirst: bool, epilogueLast: bool,
  scratch: usize): void {
  const ldaBytes = <usize>lda << 2, ldcBytes = <usize>ldc << 2;
  const tile = scratch, tileBias = scratch + MR * NR * 4;
  for (let mb = m0; mb < m1; mb += MC) {
    const me = min(m1, mb + MC);
    for (let k0 = kBegin; k0 < kEnd; k0 += kBlock) {
      const kc = min(kBlock, kEnd - k0);
      const accumulate = k0 > kBegin || accumulateFirst, epilogue = epilogueLast && k0 + kc >= kEnd;
      for (let pi = p0; pi < p1; pi++) {
        const n0 = pi * NR, nc = min(NR, n - n0);
        const wp = w + ((<usize>pi * k + k0) * NR << 2);
        if (ASC_FEATURE_SIMD && me - mb == 1 && pi + 1 < p1 && n0 + 2 * NR <= n) {
          // A single row over two full panels: two weight streams at once (see gemm1x32Simd).
          let pb = tileBias;
          if (bias != 0) pb = bias + (<usize>n0 << 2);
          else memory.fill(tileBias, 0, 2 * NR * 4);
          gemm1x32Simd(kc, a + <usize>mb * ldaBytes + (<usize>k0 << 2), wp, wp + (<usize>k * NR << 2),
            c + <usize>mb * ldcBytes + (<usize>n0 << 2), accumulate, epilogue, pb, minv, maxv);
          pi++;
          continue;
        }
        const pb = panelBias(bias, n0, nc, tileBias);
        for (let i = mb; i < me; i += MR) {
          const mr = min(MR, me - i);
          const ap = a + <usize>i * ldaBytes + (<usize>k0 << 2);
          const cp = c + <usize>i * ldcBytes + (<usize>n0 << 2);
          if (nc == NR) {
            micro(mr, kc, ap, ldaBytes, wp, cp, ldcBytes, accumulate, epilogue, pb, minv, maxv);
            continue;
          }
          if (ASC_FEATURE_SIMD && nc == NR / 2) {
            // Exactly half a panel (N = 24, 40, ...): the first 4x8 half writes C directly.
            gemm4x8Simd(mr, kc, ap, ldaBytes, wp, cp, ldcBytes, accumulate, epilogue, pb, minv, maxv);
            continue;
          }
          if (accumulate) edgeTile(tile, NR * 4, cp, ldcBytes, mr, nc);
          micro(mr, kc, ap, ldaBytes, wp, tile, NR * 4, accumulate, epilogue, pb, minv, maxv);
          edgeTile(cp, ldcBytes, tile, NR * 4, mr, nc);
        }
      }
    }
  }
}

/** The bias of panel n0's nc columns: in place for a full panel, else padded to 16 in tileBias. */
export function panelBias(bias: usize, n0: i32, nc: i32, tileBias: usize): usize {
  if (bias != 0 && nc == NR) return bias + (<usize>n0 << 2);
  // A partial last panel computes into a 16-wide tile; so does its bias.
  memory.fill(tileBias, 0, NR * 4);
  if (bias != 0) memory.copy(tileBias, bias + (<usize>n0 << 2), <usize>nc << 2);
  return tileBias;
}

/** mr rows of nc columns from src to dst (an edge tile's C into or out of the 16-wide tile). */
export function edgeTile(dst: usize, ldDst: usize, src: usize, ldSrc: usize, mr: i32, nc: i32): void {
  for (let r = 0; r < mr; r++) memory.copy(dst + <usize>r * ldDst, src + <usize>r * ldSrc, <usize>nc << 2);
}
