// The backward oracle: float64 sums written from the definitions of the gradients, output by
// output and tap by tap (no im2col, no GEMM), independent of lib/grad. g is the gradient with
// respect to the pre-activation (dy with the ReLU mask applied by the caller).
import type { Window } from '../../lib/shape';
import { outputSize, type RefResult } from '../../suite/reference';

export interface GradRef {
  dx: RefResult;
  kernel: RefResult;
  bias: RefResult;
}

function result(shape: number[]): RefResult {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: new Float64Array(size), absSum: new Float64Array(size) };
}

function add(r: RefResult, i: number, t: number): void {
  r.data[i] += t;
  r.absSum[i] += Math.abs(t);
}

/**
 * y[b,oy,ox,o] = sum over (ky,kx,ci) of x[b, oy*sh-pt+ky*dh, ox*sw-pl+kx*dw, ci] * W[ky,kx,ci,o]
 * (+ bias[o]), so dL/dx[cell] and dL/dW[ky,kx,ci,o] collect g[b,oy,ox,o] times the other factor
 * of every term that holds them; dL/dbias[o] is the sum of g over its outputs.
 */
export function conv2dGradRef(
  x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, oc: number, win: Window, g: Float32Array,
): GradRef {
  const [oh, ow] = outputSize(h, w, win);
  const r = { dx: result([n, h, w, c]), kernel: result([win.kh, win.kw, c, oc]), bias: result([oc]) };
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          const go = g[((b * oh + oy) * ow + ox) * oc + o];
          add(r.bias, o, go);
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < c; ci++) {
                const xi = ((b * h + iy) * w + ix) * c + ci, wi = ((ky * win.kw + kx) * c + ci) * oc + o;
                add(r.dx, xi, go * kernel[wi]);
                add(r.kernel, wi, go * x[xi]);
              }
            }
        }
  return r;
}

/** y[i,j] = sum over t of x[i,t] * W[t,j] (+ bias[j]). */
export function denseGradRef(x: Float32Array, m: number, k: number, kernel: Float32Array, units: number, g: Float32Array): GradRef {
  const r = { dx: result([m, k]), kernel: result([k, units]), bias: result([units]) };
  for (let i = 0; i < m; i++)
    for (let j = 0; j < units; j++) {
      const gij = g[i * units + j];
      add(r.bias, j, gij);
      for (let t = 0; t < k; t++) {
        add(r.dx, i * k + t, gij * kernel[t * units + j]);
        add(r.kernel, t * units + j, gij * x[i * k + t]);
      }
    }
  return r;
}

/**
 * Max-pool: each output's gradient to the cell that is its value, the first in row-major window
 * order among the real cells (the first NaN where the window holds one).
 */
export function maxpool2dGradRef(x: Float32Array, [n, h, w, c]: number[], win: Window, dy: Float32Array): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const r = result([n, h, w, c]);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ci = 0; ci < c; ci++) {
          const cells: number[] = [];
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) cells.push(((b * h + iy) * w + ix) * c + ci);
            }
          const values = cells.map((i) => x[i]);
          const nan = values.findIndex(Number.isNaN);
          const winner = nan >= 0 ? nan : values.indexOf(Math.max(...values));
          add(r, cells[winner], dy[((b * oh + oy) * ow + ox) * c + ci]);
        }
  return r;
}

/**
 * dy for a ReLU layer whose float64 pre-activation is `pre`, and g = dy masked by ReLU' (pre > 0).
 * dy is set to 0 where the pre-activation lies within the float32 error bound of 0 (the same
 * bound as expectClose), where float32 and float64 could disagree on its sign.
 */
export function reluMasked(dy: Float32Array, pre: RefResult, k: number): Float32Array {
  const gamma = 2 * (k + 2) * 2 ** -24;
  const g = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i++) {
    if (Math.abs(pre.data[i]) <= gamma * pre.absSum[i] + 1e-30) dy[i] = 0;
    g[i] = pre.data[i] > 0 ? dy[i] : 0;
  }
  return g;
}
