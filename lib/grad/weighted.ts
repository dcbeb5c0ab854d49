// Gradients of a layer y = act(A · W + bias), A [m, k] the input rows (Dense: the flattened
// input; Conv2D: im2col of the input), W [k, units]: three GEMMs on the active backend.
import { Tensor } from '../tensor';
import type { GradSteps } from './steps';

export interface GemmLayer {
  /** The input rows A [m, k], a copy (the caller's x may change while an async pass runs). */
  rows: Float32Array;
  m: number;
  k: number;
  units: number;
  /** W [k, units], a copy. */
  kernel: Float32Array;
  useBias: boolean;
  relu: boolean;
  /** dx from dA [m, k]. */
  toDx(dRows: Float32Array): Float32Array;
}

/**
 * dY' = dy masked by ReLU' (taken from the recomputed forward output: y > 0), then
 * dW = A^T · dY', dA = dY' · W^T, dBias = 1^T · dY' (column sums).
 */
export function* gemmLayerGrad(x: Tensor, dy: Tensor, l: GemmLayer): GradSteps {
  const g = dy.data.slice();
  if (l.relu) {
    const y = (yield { op: 'forward', x }).data;
    for (let i = 0; i < g.length; i++) if (!(y[i] > 0)) g[i] = 0;
  }
  const dY = new Tensor(g, [l.m, l.units]);
  const a = new Tensor(l.rows, [l.m, l.k]);
  const kernel = (yield { op: 'gemm', a, b: dY, opts: { transA: true } }).data;
  const dRows = (yield { op: 'gemm', a: dY, b: new Tensor(l.kernel, [l.k, l.units]), opts: { transB: true } }).data;
  const dx = new Tensor(l.toDx(dRows), x.shape);
  if (!l.useBias) return { dx, kernel };
  const ones = new Tensor(new Float32Array(l.m).fill(1), [1, l.m]);
  return { dx, kernel, bias: (yield { op: 'gemm', a: ones, b: dY, opts: {} }).data };
}
