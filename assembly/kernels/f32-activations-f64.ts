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
 * One row of n floats stride floats apart (1: contiguous), in place: exp(y[i] - max) over the
 * sum of them, taken in order in float64. A row holding NaN or +infinity, or only -infinity,
 * gives NaN.
 */
export function softmaxF64(n: i32, y: usize, stride: i32 = 1): void {
  const step = <usize>stride << 2, end = y + <usize>n * step;
  let max = -Infinity;
  for (let p = y; p < end; p += step) {
    const v = <f64>load<f32>(p);
    max = v > max ? v : max;
  }
  let sum = 0.0;
  for (let p = y; p < end; p += step) sum += expF64(<f64>load<f32>(p) - max);
  for (let p = y; p < end; p += step) store<f32>(p, <f32>(expF64(<f64>load<f32>(p) - max) / sum));
}
