// The float64 oracle of a convolution that the native backend runs as Winograd F(2x2, 3x3), with
// the error bound of that algorithm in place of the direct sum's (independent of the code under
// test: written from the algorithm's definition, not from native/ops/winograd.cc).
//
// Each output is A^T (sum over channels of U (.) V) A with U = G g G^T and V = B^T d B, plus the
// bias. Every transform and the channel sum are sums of float32 terms, so the computed result is
// off by at most gamma_(c+8) times the same expression taken over magnitudes:
//   |A^T| (sum_c (|G| |g| |G^T|) (.) (|B^T| |d| |B|)) |A| + |bias|,
// (input transform 2 additions, weights rounded once, channel sum c terms, output transform 4
// additions and the bias). expectClose(y, ref, c + 6) applies 2 (c + 8) u to it, twice the bound.
// Unlike the direct sum's bound, it holds cross terms: an input that meets a zero weight in the
// direct sum can still carry rounding error here.
import { backend } from '../../lib/backends/select';
import { PATH } from '../../lib/generated/kernels';
import type { Window } from '../../lib/shape';
import { activate, conv2dRef, outputSize, type RefActivation, type RefResult } from '../../suite/reference';

const G_ABS = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]];
const BT_ABS = [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]];
const AT_ABS = [[1, 1, 1, 0], [0, 1, 1, 1]];

/** conv2dRef's values with the Winograd magnitude sum as absSum; pass k = c + 6 to expectClose. */
export function winogradRef(
  x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, oc: number, win: Window,
  bias: Float32Array | null, activation: RefActivation,
): RefResult {
  if (win.kh !== 3 || win.kw !== 3 || win.sh !== 1 || win.sw !== 1 || win.dh !== 1 || win.dw !== 1) {
    throw new Error('winogradRef: a 3x3 stride-1 undilated window only');
  }
  const pre = conv2dRef(x, [n, h, w, c], kernel, oc, win, bias, 'linear');
  const [, oh, ow] = pre.shape;
  // |U| per channel and filter: |G| |g| |G^T|, 16 values.
  const uAbs = new Float64Array(c * oc * 16);
  for (let ci = 0; ci < c; ci++)
    for (let o = 0; o < oc; o++)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          let s = 0;
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) s += G_ABS[i][ky] * Math.abs(kernel[((ky * 3 + kx) * c + ci) * oc + o]) * G_ABS[j][kx];
          uAbs[(ci * oc + o) * 16 + i * 4 + j] = s;
        }
  const absSum = new Float64Array(pre.data.length);
  const vAbs = new Float64Array(c * 16), acc = new Float64Array(16);
  for (let b = 0; b < n; b++)
    for (let ty = 0; ty < Math.ceil(oh / 2); ty++)
      for (let tx = 0; tx < Math.ceil(ow / 2); tx++) {
        // |V| per channel: |B^T| |d| |B| over the tile's 4x4 input, zeros past the image.
        const d = (r: number, q: number, ci: number) => {
          const iy = 2 * ty - win.pt + r, ix = 2 * tx - win.pl + q;
          return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : Math.abs(x[((b * h + iy) * w + ix) * c + ci]);
        };
        for (let ci = 0; ci < c; ci++)
          for (let i = 0; i < 4; i++)
            for (let j = 0; j < 4; j++) {
              let s = 0;
              for (let r = 0; r < 4; r++) for (let q = 0; q < 4; q++) s += BT_ABS[i][r] * d(r, q, ci) * BT_ABS[j][q];
              vAbs[ci * 16 + i * 4 + j] = s;
            }
        for (let o = 0; o < oc; o++) {
          acc.fill(0);
          for (let ci = 0; ci < c; ci++) for (let e = 0; e < 16; e++) acc[e] += uAbs[(ci * oc + o) * 16 + e] * vAbs[ci * 16 + e];
          for (let r = 0; r < 2; r++)
            for (let q = 0; q < 2; q++) {
              const oy = 2 * ty + r, ox = 2 * tx + q;
              if (oy >= oh || ox >= ow) continue;
              let s = bias ? Math.abs(bias[o]) : 0;
              for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += AT_ABS[r][i] * acc[i * 4 + j] * AT_ABS[q][j];
              absSum[((b * oh + oy) * ow + ox) * oc + o] = s;
            }
        }
      }
  return activate({ shape: pre.shape, data: pre.data, absSum }, activation);
}

/** Whether the backend in use, at its ISA and thread count now, runs this convolution as Winograd. */
export function runsWinograd([n, h, w, c]: number[], win: Window, oc: number, direct = false): boolean {
  const b = backend();
  if (b.name !== 'native') return false;
  const [oh, ow] = outputSize(h, w, win);
  const params = { n, h, w, c, ...win, oh, ow, oc, activation: 0, direct };
  const packed = b.packWeights(new Float32Array(win.kh * win.kw * c * oc), { k: win.kh * win.kw * c, n: oc });
  const op = b.createOperator({ op: 'conv2d', packed, bias: null, params });
  try {
    op.reshape(params);
    return op.explain().path === PATH.winograd;
  } finally {
    op.release();
    b.release(packed);
  }
}
