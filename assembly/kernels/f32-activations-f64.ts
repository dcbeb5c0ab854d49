// Activations on float32 rows, each value computed in float64 (activation-f64.ts) and rounded
// once to float32. Mirrors native/kernels/f32-activations-f64.cc.
import { activationF64, expF64 } from './activation-f64';

/** y[i] = f(y[i]) for i < n, in place, f an elementwise activation (activationF64). */
export function activationRowsF64(act: i32, n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, <f32>activationF64(act, <f64>load<f32>(p)));
  }
}

/**
 * One row of n floats, in place: exp(y[i] - max) over the sum of them, taken in order in
 * float64. A row holding NaN or +infinity, or only -infinity, gives NaN.
 */
export function softmaxF64(n: i32, y: usize): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(y + (<usize>i << 2));
    max = v > max ? v : max;
  }
  let sum = 0.0;
  for (let i = 0; i < n; i++) sum += expF64(<f64>load<f32>(y + (<usize>i << 2)) - max);
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, <f32>(expF64(<f64>load<f32>(p) - max) / sum));
  }
}
