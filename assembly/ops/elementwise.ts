// A standalone activation over m rows of cols floats (the Activation, ReLU, LeakyReLU, ELU and
// Softmax layers; softmax: m rows of cols floats, each k apart: 1, or strided over a middle axis), with Keras's parameters: relu is ReLU(maxValue, negative_slope = alpha,
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

/** The first byte of strided row r: rows of cols floats k (inner) apart (softmax over a middle axis). */
// @ts-ignore: decorator
@inline function stridedRow(j: Job, base: usize, r: i32): usize {
  return base + ((<usize>(r / j.k) * j.cols * j.k + <usize>(r % j.k)) << 2);
}

/** Softmax over strided rows r0..r1 of x into y (which may be x), each along its stride. */
function stridedSoftmax(j: Job, r0: i32, r1: i32, x: usize, y: usize): void {
  const step = <usize>j.k << 2;
  for (let r = r0; r < r1; r++) {
    const from = stridedRow(j, x, r), to = stridedRow(j, y, r);
    for (let i: usize = 0; i < <usize>j.cols * step; i += step) store<f32>(to + i, load<f32>(from + i));
    softmaxF64(j.cols, to, j.k);
  }
}

export function elementwiseTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  if (j.activation == ACTIVATION_SOFTMAX) return stridedSoftmax(j, r0, r1, j.x, j.y);
  const rowBytes = <usize>j.cols << 2, bytes = <usize>(r1 - r0) * rowBytes;
  const x = <usize>j.x + <usize>r0 * rowBytes, y = <usize>j.y + <usize>r0 * rowBytes;
  for (let i: usize = 0; i < bytes; i += 4) store<f32>(y + i, <f32>forwardF64(j, <f64>load<f32>(x + i)));
}

export function elementwiseGradTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  if (j.activation == ACTIVATION_SOFTMAX) {
    // Softmax's rows (strided, or k = 1: contiguous): y, then g = y (dy - dy . y) in place.
    stridedSoftmax(j, r0, r1, j.x, j.y);
    const step = <usize>j.k << 2, end = <usize>j.cols * step;
    for (let r = r0; r < r1; r++) {
      const g = stridedRow(j, j.y, r), dy = stridedRow(j, j.w, r);
      let dot: f64 = 0;
      for (let i: usize = 0; i < end; i += step) dot += <f64>load<f32>(dy + i) * <f64>load<f32>(g + i);
      for (let i: usize = 0; i < end; i += step) store<f32>(g + i, <f32>(<f64>load<f32>(g + i) * (<f64>load<f32>(dy + i) - dot)));
    }
    return;
  }
  const rowBytes = <usize>j.cols << 2, bytes = <usize>(r1 - r0) * rowBytes, at = <usize>r0 * rowBytes;
  const x = <usize>j.x + at, dy = <usize>j.w + at, g = <usize>j.y + at;
  for (let i: usize = 0; i < bytes; i += 4) store<f32>(g + i, <f32>(<f64>load<f32>(dy + i) * derivativeAtF64(j, <f64>load<f32>(x + i))));
}
