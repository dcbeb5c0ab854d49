// The backward oracle: float64 sums written from the definitions of the gradients, output by
// output and tap by tap (no im2col, no GEMM), independent of lib/grad. g is the gradient with
// respect to the pre-activation (activationGradRef below, or dy with reluMasked's mask), and
// gErr how far the layer's own float32 g may be from it (it starts from a float32 forward).
import type { Window } from '../../lib/shape';
import { activate, outputSize, type RefActivation, type RefResult } from '../../suite/reference';

export interface GradRef {
  dx: RefResult;
  kernel: RefResult;
  bias: RefResult;
}

function result(shape: number[]): RefResult {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: new Float64Array(size), absSum: new Float64Array(size), err: new Float64Array(size) };
}

/**
 * Adds the term g * a to output i; an error e in g moves it by up to |a| e (1.01: the GEMM's own
 * rounding bound grows by gamma |a| e too).
 */
function add(r: RefResult, i: number, g: number, a: number, e: number): void {
  r.data[i] += g * a;
  r.absSum[i] += Math.abs(g * a);
  r.err![i] += 1.01 * Math.abs(a) * e;
}

/**
 * y[b,oy,ox,o] = sum over (ky,kx,ci) of x[b, oy*sh-pt+ky*dh, ox*sw-pl+kx*dw, ci] * W[ky,kx,ci,o]
 * (+ bias[o]), so dL/dx[cell] and dL/dW[ky,kx,ci,o] collect g[b,oy,ox,o] times the other factor
 * of every term that holds them; dL/dbias[o] is the sum of g over its outputs.
 */
export function conv2dGradRef(
  x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, oc: number, win: Window, g: ArrayLike<number>,
  gErr: ArrayLike<number> = new Float64Array(g.length),
): GradRef {
  const [oh, ow] = outputSize(h, w, win);
  const r = { dx: result([n, h, w, c]), kernel: result([win.kh, win.kw, c, oc]), bias: result([oc]) };
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          const at = ((b * oh + oy) * ow + ox) * oc + o, go = g[at], e = gErr[at];
          add(r.bias, o, go, 1, e);
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < c; ci++) {
                const xi = ((b * h + iy) * w + ix) * c + ci, wi = ((ky * win.kw + kx) * c + ci) * oc + o;
                add(r.dx, xi, go, kernel[wi], e);
                add(r.kernel, wi, go, x[xi], e);
              }
            }
        }
  return r;
}

/** y[i,j] = sum over t of x[i,t] * W[t,j] (+ bias[j]). */
export function denseGradRef(
  x: Float32Array, m: number, k: number, kernel: Float32Array, units: number, g: ArrayLike<number>,
  gErr: ArrayLike<number> = new Float64Array(g.length),
): GradRef {
  const r = { dx: result([m, k]), kernel: result([k, units]), bias: result([units]) };
  for (let i = 0; i < m; i++)
    for (let j = 0; j < units; j++) {
      const gij = g[i * units + j], e = gErr[i * units + j];
      add(r.bias, j, gij, 1, e);
      for (let t = 0; t < k; t++) {
        add(r.dx, i * k + t, gij, kernel[t * units + j], e);
        add(r.kernel, t * units + j, gij, x[i * k + t], e);
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
          add(r, cells[winner], dy[((b * oh + oy) * ow + ox) * c + ci], 1, 0);
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

const U = 2 ** -24;

/**
 * g = dy * f'(z) from the float64 pre-activation `pre` (rows of its last axis for softmax), and
 * gErr: how far the layer's g may be, given that it takes f' from its own float32 output y, whose
 * error is at most e = gamma_K * absSum + |y| u (expectClose's bound for the forward, K its
 * reduction length): sigmoid's y(1 - y) moves by at most e + e^2, tanh's 1 - y^2 by 2e + e^2,
 * softmax's y_i (dy_i - sum_j dy_j y_j) by e_i |dy_i - s| + (y_i + e_i) sum_j |dy_j| e_j; plus
 * the rounding of g itself. ReLU and linear: use reluMasked or dy (exact, no error).
 */
export function activationGradRef(dy: Float32Array, pre: RefResult, activation: RefActivation, k: number): { g: Float64Array; gErr: Float64Array } {
  const y = activate(pre, activation), gamma = 2 * (k + 2) * U;
  const g = new Float64Array(dy.length), gErr = new Float64Array(dy.length);
  const e = (i: number) => gamma * y.absSum[i] + Math.abs(y.data[i]) * U;
  const cols = pre.shape[pre.shape.length - 1];
  for (let r = 0; r < dy.length; r += cols) {
    let s = 0, sErr = 0;
    for (let j = r; j < r + cols; j++) {
      s += dy[j] * y.data[j];
      sErr += Math.abs(dy[j]) * e(j);
    }
    for (let i = r; i < r + cols; i++) {
      const yi = y.data[i], ei = e(i);
      if (activation === 'sigmoid') {
        g[i] = dy[i] * yi * (1 - yi);
        gErr[i] = Math.abs(dy[i]) * (ei + ei * ei);
      } else if (activation === 'tanh') {
        g[i] = dy[i] * (1 - yi * yi);
        gErr[i] = Math.abs(dy[i]) * (2 * ei + ei * ei);
      } else if (activation === 'softmax') {
        g[i] = yi * (dy[i] - s);
        gErr[i] = ei * (Math.abs(dy[i] - s) + sErr) + yi * sErr;
      } else {
        throw new Error(`activationGradRef is for sigmoid, tanh and softmax, not ${activation}`);
      }
      gErr[i] += 2 * Math.abs(g[i]) * U;
    }
  }
  return { g, gErr };
}
