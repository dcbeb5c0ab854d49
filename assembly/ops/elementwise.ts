// A standalone activation over m rows of cols floats (the Activation, ReLU, LeakyReLU, ELU and
// Softmax layers), with Keras's parameters: relu is ReLU(maxValue, negative_slope = alpha,
// threshold), leaky_relu and elu take alpha; the others are activation-f64.ts's. Task t is a run
// of whole rows (the plan's). Forward: x -> y (y may be x). Backward: x, w: dy -> y: dx. Mirrors
// native/ops/elementwise-activation.cc.
import {
  ACTIVATION_ELU, ACTIVATION_FROM_INPUT_MASK, ACTIVATION_LEAKY_RELU, ACTIVATION_LINEAR, ACTIVATION_RELU, ACTIVATION_RELU6, ACTIVATION_SOFTMAX,
} from '../generated/kernels';
import { Job } from '../generated/job';
import { activationF64, derivativeF64, expF64, expm1NegF64 } from '../kernels/activation-f64';
import { softmaxF64 } from '../kernels/f32-activations-f64';

function forwardF64(j: Job, z: f64): f64 {
  const act = j.activation;
  if (act == ACTIVATION_LINEAR) return z;
  if (act == ACTIVATION_RELU) {
    if (z != z) return z; // NaN passes, as through the GEMM epilogue's clamp
    if (z >= <f64>j.maxValue) return <f64>j.maxValue;
    if (z >= <f64>j.threshold) return z;
    return j.alpha == 0 ? 0.0 : <f64>j.alpha * (z - <f64>j.threshold);
  }
  if (act == ACTIVATION_RELU6) return z < 0 ? 0.0 : z > 6 ? 6.0 : z;
  if (act == ACTIVATION_LEAKY_RELU) return z > 0 ? z : <f64>j.alpha * z;
  if (act == ACTIVATION_ELU) return z > 0 ? z : <f64>j.alpha * expm1NegF64(z);
  return activationF64(act, z);
}

/** f'(z), from z. */
function derivativeAtF64(j: Job, z: f64): f64 {
  const act = j.activation;
  if (act == ACTIVATION_LINEAR) return 1.0;
  if (act == ACTIVATION_RELU) return z >= <f64>j.maxValue ? 0.0 : z >= <f64>j.threshold ? 1.0 : <f64>j.alpha;
  if (act == ACTIVATION_RELU6) return z > 0 && z < 6 ? 1.0 : 0.0;
  if (act == ACTIVATION_LEAKY_RELU) return z > 0 ? 1.0 : <f64>j.alpha;
  if (act == ACTIVATION_ELU) return z > 0 ? 1.0 : <f64>j.alpha * expF64(z);
  return derivativeF64(act, (ACTIVATION_FROM_INPUT_MASK >> act) & 1 ? z : activationF64(act, z));
}

export function elementwiseTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const rowBytes = <usize>j.cols << 2, bytes = <usize>(r1 - r0) * rowBytes;
  const x = <usize>j.x + <usize>r0 * rowBytes, y = <usize>j.y + <usize>r0 * rowBytes;
  if (j.activation == ACTIVATION_SOFTMAX) {
    if (x != y) memory.copy(y, x, bytes);
    for (let r: usize = 0; r < bytes; r += rowBytes) softmaxF64(j.cols, y + r);
    return;
  }
  let i: usize = 0;
  const act = j.activation;
  if (ASC_FEATURE_SIMD && ((act == ACTIVATION_RELU && j.alpha == 0 && j.threshold == 0) || act == ACTIVATION_RELU6)) {
    // A clamp to [0, high]: pmax then pmin give forwardF64's bits (-0 and NaN pass as they are).
    const low = f32x4.splat(0), high = f32x4.splat(act == ACTIVATION_RELU6 ? 6 : j.maxValue);
    for (; i + 16 <= bytes; i += 16) v128.store(y + i, f32x4.pmin(f32x4.pmax(v128.load(x + i), low), high));
  }
  for (; i < bytes; i += 4) store<f32>(y + i, <f32>forwardF64(j, <f64>load<f32>(x + i)));
}

export function elementwiseGradTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const rowBytes = <usize>j.cols << 2, bytes = <usize>(r1 - r0) * rowBytes, at = <usize>r0 * rowBytes;
  const x = <usize>j.x + at, dy = <usize>j.w + at, g = <usize>j.y + at;
  if (j.activation == ACTIVATION_SOFTMAX) {
    memory.copy(g, x, bytes);
    for (let r: usize = 0; r < bytes; r += rowBytes) {
      softmaxF64(j.cols, g + r); // y, then g = y (dy - dy . y) in place
      let dot: f64 = 0;
      for (let i = r; i < r + rowBytes; i += 4) dot += <f64>load<f32>(dy + i) * <f64>load<f32>(g + i);
      for (let i = r; i < r + rowBytes; i += 4) store<f32>(g + i, <f32>(<f64>load<f32>(g + i) * (<f64>load<f32>(dy + i) - dot)));
    }
    return;
  }
  for (let i: usize = 0; i < bytes; i += 4) store<f32>(g + i, <f32>(<f64>load<f32>(dy + i) * derivativeAtF64(j, <f64>load<f32>(x + i))));
}
