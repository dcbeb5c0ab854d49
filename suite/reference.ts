// The oracle: naive float64 loops written straight from the definitions, sharing no arithmetic
// with convkit's kernels. Only the window geometry (pads, output size) comes from lib/shape.ts,
// which test/shape.test.ts and test/api.test.ts check against hand-derived numbers. NHWC
// tensors, HWIO conv kernels, [in, units] dense kernels.
import { outputExtent, type Window } from '../lib/shape';

/** The activations convkit offers (lib/activation.ts names them too; spelled out here, not imported). */
export type RefActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/**
 * Result in float64 plus, per output, the sum of |terms| (for error bounds), and where an input
 * was itself a float32 result with an error, how far that error alone can move each output.
 */
export interface RefResult {
  shape: number[];
  data: Float64Array;
  absSum: Float64Array;
  err?: Float64Array;
}

/** [oh, ow] of a window over h x w (0 where it does not fit). */
export function outputSize(h: number, w: number, win: Window): [number, number] {
  return [outputExtent(h, win.kh, win.sh, win.dh, win.pt, win.pb), outputExtent(w, win.kw, win.sw, win.dw, win.pl, win.pr)];
}

export function conv2dRef(
  x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, oc: number, win: Window,
  bias: Float32Array | null, activation: RefActivation,
): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const data = new Float64Array(n * oh * ow * oc), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          let sum = bias ? bias[o] : 0, mag = Math.abs(sum);
          for (let ky = 0; ky < win.kh; ky++) {
            const iy = oy * win.sh - win.pt + ky * win.dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < win.kw; kx++) {
              const ix = ox * win.sw - win.pl + kx * win.dw;
              if (ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < c; ci++) {
                const t = x[((b * h + iy) * w + ix) * c + ci] * kernel[((ky * win.kw + kx) * c + ci) * oc + o];
                sum += t;
                mag += Math.abs(t);
              }
            }
          }
          const i = ((b * oh + oy) * ow + ox) * oc + o;
          data[i] = sum;
          absSum[i] = mag;
        }
  return activate({ shape: [n, oh, ow, oc], data, absSum }, activation);
}

/** Max over the real cells of each window; padding is skipped, never read as 0. */
export function maxpool2dRef(x: Float32Array, [n, h, w, c]: number[], win: Window): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const data = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ci = 0; ci < c; ci++) {
          let m = -Infinity;
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                const v = x[((b * h + iy) * w + ix) * c + ci];
                if (v > m || Number.isNaN(v)) m = v;
                if (Number.isNaN(m)) break;
              }
            }
          data[((b * oh + oy) * ow + ox) * c + ci] = m;
        }
  return { shape: [n, oh, ow, c], data, absSum: new Float64Array(data.length) };
}

/** y = act(alpha * op(A) op(B) + beta * C + bias); C broadcast from [cRows, cCols]. */
export function gemmRef(
  a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: Float32Array; cRows?: number; cCols?: number; bias?: Float32Array | null; activation?: RefActivation } = {},
): RefResult {
  const { transA = false, transB = false, alpha = 1, beta = 1, c, cRows = 1, cCols = 1, bias = null, activation = 'linear' } = opts;
  const data = new Float64Array(m * n), absSum = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0, mag = 0;
      for (let kk = 0; kk < k; kk++) {
        const t = (transA ? a[kk * m + i] : a[i * k + kk]) * (transB ? b[j * k + kk] : b[kk * n + j]);
        sum += t;
        mag += Math.abs(t);
      }
      let v = alpha * sum;
      mag = Math.abs(alpha) * mag;
      if (c) {
        const cv = beta * c[(cRows === 1 ? 0 : i) * cCols + (cCols === 1 ? 0 : j)];
        v += cv;
        mag += Math.abs(cv);
      }
      if (bias) {
        v += bias[j];
        mag += Math.abs(bias[j]);
      }
      data[i * n + j] = v;
      absSum[i * n + j] = mag;
    }
  return activate({ shape: [m, n], data, absSum }, activation);
}

/** Dense: x [m, k] (already flattened) times kernel [k, units]. */
export function denseRef(x: Float32Array, m: number, k: number, kernel: Float32Array, units: number, bias: Float32Array | null, activation: RefActivation): RefResult {
  return gemmRef(x, kernel, m, units, k, { bias, activation });
}

/**
 * Largest forward error, relative to absSum, that the activations' bounds allow for: the gamma_K
 * of test/helpers/assert.ts stays below it for K up to 32000 (a split K's tests reach 24576).
 */
const GAMMA_MAX = 4e-3;

/**
 * The activation applied to a float64 pre-activation z (softmax over the last axis), with absSum
 * carried so that gamma * absSum still bounds the float32 result's error: an error of at most
 * d = gamma * absSum in z moves sigmoid or tanh by at most d times the largest slope within d of
 * z (both slopes fall with |z|), and a softmax row by at most y_i (e^(2D) - 1) <= 2 D e^(2D) y_i,
 * D the row's largest d. The rounding of the result itself is expectClose's |expected| * u.
 */
export function activate(pre: RefResult, activation: RefActivation): RefResult {
  const { data: z, absSum } = pre;
  const data = new Float64Array(z.length), mag = new Float64Array(z.length);
  const near = (i: number) => Math.max(0, Math.abs(z[i]) - GAMMA_MAX * absSum[i]); // |z| nearest 0 within reach
  for (let i = 0; i < z.length; i++) {
    if (activation === 'relu') {
      data[i] = Math.max(0, z[i]);
      mag[i] = absSum[i];
    } else if (activation === 'sigmoid') {
      // The slopes as e / (1 + e)^2: s * (1 - s) and 1 - tanh^2 round to 0 past |z| of 37 and 19.
      data[i] = 1 / (1 + Math.exp(-z[i]));
      const e = Math.exp(-near(i));
      mag[i] = (e / (1 + e) ** 2) * absSum[i];
    } else if (activation === 'tanh') {
      data[i] = Math.tanh(z[i]);
      const e = Math.exp(-2 * near(i));
      mag[i] = ((4 * e) / (1 + e) ** 2) * absSum[i];
    } else {
      data[i] = z[i];
      mag[i] = absSum[i];
    }
  }
  if (activation !== 'softmax') return { shape: pre.shape, data, absSum: mag };
  const cols = pre.shape[pre.shape.length - 1];
  for (let r = 0; r < z.length; r += cols) {
    const row = Array.from(z.subarray(r, r + cols)), most = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - most), 0);
    const d = Math.max(...Array.from(absSum.subarray(r, r + cols)));
    for (let j = 0; j < cols; j++) {
      data[r + j] = Math.exp(row[j] - most) / sum;
      mag[r + j] = 2 * d * Math.exp(2 * GAMMA_MAX * d) * data[r + j];
    }
  }
  return { shape: pre.shape, data, absSum: mag };
}

/**
 * Average pooling: each window's cells inside the image summed and divided by their count
 * (Keras), or by the whole window with countPad (ONNX's count_include_pad).
 */
export function avgpool2dRef(x: Float32Array, [n, h, w, c]: number[], win: Window, countPad: boolean): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const data = new Float64Array(n * oh * ow * c), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const at = windowCells(b, oy, ox, [h, w, c], win), divisor = countPad ? win.kh * win.kw : at.length;
        for (let ci = 0; ci < c; ci++) {
          let s = 0, a = 0;
          for (const i of at) (s += x[i + ci]), (a += Math.abs(x[i + ci]));
          const o = ((b * oh + oy) * ow + ox) * c + ci;
          data[o] = s / divisor;
          absSum[o] = a / divisor;
        }
      }
  return { shape: [n, oh, ow, c], data, absSum };
}

/** The window's cells inside the image, as NHWC offsets of their channel 0. */
export function windowCells(b: number, oy: number, ox: number, [h, w, c]: number[], win: Window): number[] {
  const out: number[] = [];
  for (let ky = 0; ky < win.kh; ky++)
    for (let kx = 0; kx < win.kw; kx++) {
      const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) out.push(((b * h + iy) * w + ix) * c);
    }
  return out;
}

/** The naive float64 depthwise convolution: output channel c * m + j reads input channel c. */
export function depthwiseRef(x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, bias: Float32Array | null, m: number,
  win: Window, relu: boolean): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const oc = c * m, data = new Float64Array(n * oh * ow * oc), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          let s = bias ? bias[o] : 0, a = Math.abs(s);
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const t = x[((b * h + iy) * w + ix) * c + Math.floor(o / m)] * kernel[(ky * win.kw + kx) * oc + o];
              s += t;
              a += Math.abs(t);
            }
          const i = ((b * oh + oy) * ow + ox) * oc + o;
          data[i] = relu ? Math.max(0, s) : s;
          absSum[i] = a;
        }
  return { shape: [n, oh, ow, oc], data, absSum };
}
