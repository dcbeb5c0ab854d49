// Gradients of a layer y = act(A · W + bias), A [m, k] the input rows (Dense: the flattened
// input; Conv2D: im2col of the input), W [k, units]: three GEMMs on the active backend.
import { Activation } from '../activation';
import { Tensor } from '../tensor';
import { activationGrad } from './activation';
import type { GradHints, GradSteps } from './steps';

export interface GemmLayer {
  /** The input rows A [m, k], a copy (the caller's x may change while an async pass runs). */
  rows: Float32Array;
  m: number;
  k: number;
  units: number;
  /** W [k, units]: the layer's array, never written while a pass runs (setWeights replaces it; fit updates it between steps). */
  kernel: Float32Array;
  useBias: boolean;
  /** The activation's code; its derivative comes from the forward output. */
  activation: number;
  /** dx from dA [m, k]. */
  toDx(dRows: Float32Array): Float32Array;
}

/**
 * dY' = dy through the activation's derivative (grad/activation.ts, from the forward output:
 * recomputed here unless the hints carry it; none when they say dy is already with respect to
 * the pre-activation), then dW = A^T · dY', dA = dY' · W^T, dBias = 1^T · dY' (column sums).
 */
export function* gemmLayerGrad(x: Tensor, dy: Tensor, l: GemmLayer, hints: GradHints): GradSteps {
  let g: Float32Array = dy.data.slice();
  if (l.activation !== Activation.linear && !hints.preActivation) {
    const y = hints.output ?? (yield { op: 'forward', x });
    g = activationGrad(l.activation, g, y.data, l.units);
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
