// The gradient through an activation, from its output: g = dy * f'(z) written with y alone (or
// with the pre-activation z for the activations kernels.json lists in activationsFromInput), each
// value in float64 rounded once, a softmax row's dot product in order. Task t is a run of whole
// rows (the plan's). x: dy, w: y or z (0 for linear), y: g; m rows of cols. Mirrors
// native/ops/activation-grad.cc.
import { ACTIVATION_LINEAR, ACTIVATION_RELU, ACTIVATION_SOFTMAX } from '../generated/kernels';
import { Job } from '../generated/job';
import { derivativeF64 } from '../kernels/activation-f64';

export function activationGradTask(j: Job, task: i32): void {
  const cols = j.cols, r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const at = <usize>r0 * cols << 2, count = <usize>(r1 - r0) * cols;
  const dy = <usize>j.x + at, y = <usize>j.w + at, g = <usize>j.y + at, act = j.activation;
  if (act == ACTIVATION_RELU) {
    for (let i: usize = 0; i < count << 2; i += 4) store<f32>(g + i, load<f32>(y + i) > 0 ? load<f32>(dy + i) : 0);
  } else if (act == ACTIVATION_SOFTMAX) {
    const rowBytes = <usize>cols << 2;
    for (let r: usize = 0; r < count << 2; r += rowBytes) {
      let dot: f64 = 0;
      for (let i: usize = r; i < r + rowBytes; i += 4) dot += <f64>load<f32>(dy + i) * <f64>load<f32>(y + i);
      for (let i: usize = r; i < r + rowBytes; i += 4) store<f32>(g + i, <f32>(<f64>load<f32>(y + i) * (<f64>load<f32>(dy + i) - dot)));
    }
  } else if (act == ACTIVATION_LINEAR) {
    memory.copy(g, dy, count << 2);
  } else {
    for (let i: usize = 0; i < count << 2; i += 4) {
      store<f32>(g + i, <f32>(<f64>load<f32>(dy + i) * derivativeF64(act, <f64>load<f32>(y + i))));
    }
  }
}
