// The backward passes of the wasm backend: the GEMMs run on its own kernels (gemm / gemmAsync,
// off the event loop when async); the window expansion, its adjoint, the max-pool scatter and
// the activation's derivative are still TypeScript here (their AssemblyScript kernels are the
// next step). Same math and orders as native/ops/weighted-grad.cc and maxpool2d-grad.cc: every
// reduction's order is fixed by the shape, so the bits never depend on the thread count.
import { ACTIVATION } from '../generated/kernels';
import { type Backend, type Conv2DGradParams, type DenseGradParams, type GemmParams, packedWeightsLength, type WeightedGrads, type WindowParams } from './backend';
import { checkConv2D, checkDense, checkMaxPool2D } from './check';
import { float32Array } from '../validate';

type Gemm = Pick<Backend, 'gemm' | 'gemmAsync'>;
/** A GEMM the pass asks for: a times b (either transposed), and what it returns. */
type Product = Generator<[Float32Array, Float32Array, GemmParams], WeightedGrads, Float32Array>;

function lengthIs(name: string, a: Float32Array, expected: number): Float32Array {
  float32Array(name, a);
  if (a.length !== expected) throw new RangeError(`Expected ${expected} elements in ${name} but received ${a.length}`);
  return a;
}

/** dy through the activation's derivative, from the output y: float64, rounded once (softmax per row of `units`). */
function activationGrad(code: number, dy: Float32Array, y: Float32Array | null, units: number): Float32Array {
  const g = new Float32Array(dy.length);
  if (code === ACTIVATION.linear || !y) g.set(dy);
  else if (code === ACTIVATION.relu) for (let i = 0; i < g.length; i++) g[i] = y[i] > 0 ? dy[i] : 0;
  else if (code === ACTIVATION.sigmoid) for (let i = 0; i < g.length; i++) g[i] = dy[i] * y[i] * (1 - y[i]);
  else if (code === ACTIVATION.tanh) for (let i = 0; i < g.length; i++) g[i] = dy[i] * (1 - y[i] * y[i]);
  else {
    for (let r = 0; r < g.length; r += units) {
      let dot = 0;
      for (let j = r; j < r + units; j++) dot += dy[j] * y[j];
      for (let j = r; j < r + units; j++) g[j] = y[j] * (dy[j] - dot);
    }
  }
  return g;
}

/**
 * Calls visit(colAt, xAt, len) for each run of a window row's taps on real cells: cols[colAt..]
 * belong to x[xAt..]. Rows (output pixels) in order, a row's taps in (ky, kx) order.
 */
function eachRun(p: WindowParams, visit: (colAt: number, xAt: number, len: number) => void): void {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = p;
  const rowLength = kh * kw * c;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++, row++) {
        const x0 = ox * sw - pl;
        const kx0 = x0 >= 0 ? 0 : Math.ceil(-x0 / dw), kx1 = Math.min(kw, Math.ceil((w - x0) / dw));
        if (kx0 >= kx1) continue;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          const colAt = row * rowLength + (ky * kw + kx0) * c, xAt = ((b * h + iy) * w + x0 + kx0 * dw) * c;
          if (dw === 1) visit(colAt, xAt, (kx1 - kx0) * c);
          else for (let kx = kx0; kx < kx1; kx++) visit(colAt + (kx - kx0) * c, xAt + (kx - kx0) * dw * c, c);
        }
      }
}

function im2col(x: Float32Array, p: WindowParams): Float32Array {
  const cols = new Float32Array(p.n * p.oh * p.ow * p.kh * p.kw * p.c);
  eachRun(p, (colAt, xAt, len) => cols.set(x.subarray(xAt, xAt + len), colAt));
  return cols;
}

function col2im(cols: Float32Array, p: WindowParams): Float32Array {
  const dx = new Float32Array(p.n * p.h * p.w * p.c);
  eachRun(p, (colAt, xAt, len) => {
    for (let i = 0; i < len; i++) dx[xAt + i] += cols[colAt + i];
  });
  return dx;
}

const gemmParams = (m: number, n: number, k: number, transA: boolean, transB: boolean): GemmParams => ({
  m, n, k, transA, transB, alpha: 1, beta: 0, cRows: 1, cCols: 1, activation: ACTIVATION.linear,
});

/**
 * g = dy through the derivative; dW = A^T g, dA = g W^T, db = column sums of g (float64, rows
 * in order). Copies everything it reads (rows are a copy already) before its first request.
 */
function* weighted(rows: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array,
  m: number, k: number, n: number, activation: number, bias: boolean, toDx: (dA: Float32Array) => Float32Array): Product {
  const g = activationGrad(activation, dy, y, n);
  const w = kernel.slice();
  let db: Float32Array | null = null;
  if (bias) {
    const sums = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sums[j] += g[i * n + j];
    db = Float32Array.from(sums);
  }
  const dw = yield [rows, g, gemmParams(k, n, m, true, false)];
  const dA = yield [g, w, gemmParams(m, k, n, false, true)];
  return { dx: toDx(dA), dw, db };
}

function runSync(b: Gemm, steps: Product): WeightedGrads {
  let r = steps.next();
  while (!r.done) r = steps.next(b.gemm(r.value[0], r.value[1], null, r.value[2]));
  return r.value;
}

async function runAsync(b: Gemm, steps: Product): Promise<WeightedGrads> {
  let r = steps.next();
  while (!r.done) r = steps.next(await b.gemmAsync(r.value[0], r.value[1], null, r.value[2]));
  return r.value;
}

function convSteps(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DGradParams): Product {
  const k = p.kh * p.kw * p.c, m = p.n * p.oh * p.ow;
  checkConv2D(x, { length: packedWeightsLength(k, p.oc) }, null, p);
  checkGradInputs(dy, y, kernel, p.activation, m * p.oc, k * p.oc);
  return weighted(im2col(x, p), dy, y, kernel, m, k, p.oc, p.activation, p.bias, (dA) => col2im(dA, p));
}

function denseSteps(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: DenseGradParams): Product {
  checkDense(x, { length: packedWeightsLength(p.k, p.n) }, null, p);
  checkGradInputs(dy, y, kernel, p.activation, p.m * p.n, p.k * p.n);
  return weighted(x.slice(), dy, y, kernel, p.m, p.k, p.n, p.activation, p.bias, (dA) => dA);
}

function checkGradInputs(dy: Float32Array, y: Float32Array | null, kernel: Float32Array, activation: number, outputs: number, weights: number): void {
  lengthIs('dy', dy, outputs);
  if (activation !== ACTIVATION.linear) lengthIs('y', y as Float32Array, outputs);
  lengthIs('kernel', kernel, weights);
}

/** Each window's dy to its first maximal cell (the forward's rule; a NaN window: its first NaN), in output order. */
function maxpoolGrad(x: Float32Array, dy: Float32Array, p: WindowParams): Float32Array {
  checkMaxPool2D(x, p);
  lengthIs('dy', dy, p.n * p.oh * p.ow * p.c);
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = p;
  const dx = new Float32Array(x.length);
  let out = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ci = 0; ci < c; ci++, out++) {
          let best = -1, max = 0;
          for (let ky = 0; ky < kh && max === max; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix < 0 || ix >= w) continue;
              const at = ((b * h + iy) * w + ix) * c + ci, v = x[at];
              if (best < 0 || v > max || v !== v) {
                best = at;
                max = v;
                if (v !== v) break;
              }
            }
          }
          dx[best] += dy[out];
        }
  return dx;
}

/** The backward methods of the contract, for a backend whose GEMMs are b's. */
export function wasmGrads(b: Gemm): Pick<Backend, 'conv2dBackward' | 'conv2dBackwardAsync' | 'denseBackward' | 'denseBackwardAsync' | 'maxpool2dBackward' | 'maxpool2dBackwardAsync'> {
  return {
    conv2dBackward: (x, dy, y, kernel, p) => runSync(b, convSteps(x, dy, y, kernel, p)),
    conv2dBackwardAsync: (x, dy, y, kernel, p) => runAsync(b, convSteps(x, dy, y, kernel, p)),
    denseBackward: (x, dy, y, kernel, p) => runSync(b, denseSteps(x, dy, y, kernel, p)),
    denseBackwardAsync: (x, dy, y, kernel, p) => runAsync(b, denseSteps(x, dy, y, kernel, p)),
    maxpool2dBackward: (x, dy, p) => maxpoolGrad(x, dy, p),
    // On this thread for now, at the call (so under the in-flight rule).
    maxpool2dBackwardAsync: (x, dy, p) => new Promise((resolve) => resolve(maxpoolGrad(x, dy, p))),
  };
}
