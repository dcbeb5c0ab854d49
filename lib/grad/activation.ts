// The gradient through an activation, from its output y (which the backward pass recomputes by a
// forward, or which training already has): dz = dy * f'(z), written with y alone. Each value is
// computed in float64 and rounded once; a softmax row's sum runs in order, so the bits never
// depend on the thread count.
import { Activation } from '../activation';

/** dy masked, or scaled, by the activation's derivative; rows of `units` floats (softmax's axis). */
export function activationGrad(code: number, dy: Float32Array, y: Float32Array, units: number): Float32Array {
  const g = new Float32Array(dy.length);
  switch (code) {
    case Activation.relu: // no gradient where the output is 0 (the input was at or below 0)
      for (let i = 0; i < g.length; i++) g[i] = y[i] > 0 ? dy[i] : 0;
      break;
    case Activation.sigmoid: // y (1 - y)
      for (let i = 0; i < g.length; i++) g[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case Activation.tanh: // 1 - y^2
      for (let i = 0; i < g.length; i++) g[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case Activation.softmax: // dz_i = y_i (dy_i - sum_j dy_j y_j), per row
      for (let r = 0; r < g.length; r += units) {
        let dot = 0;
        for (let j = r; j < r + units; j++) dot += dy[j] * y[j];
        for (let j = r; j < r + units; j++) g[j] = y[j] * (dy[j] - dot);
      }
      break;
    default: // linear
      g.set(dy);
  }
  return g;
}
