// An activation over a finished GEMM output (y: m rows of cols floats, in place), the job that
// follows a Conv2D, Dense or Gemm job whose epilogue clamped as linear. Task t is a run of whole
// rows (the plan's). Mirrors native/ops/activation.cc.
import { ACTIVATION_SOFTMAX } from '../generated/kernels';
import { Job } from '../generated/job';
import { activationRowsF64, softmaxF64 } from '../kernels/f32-activations-f64';

export function activationTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const rowBytes = <usize>j.cols << 2;
  const y = <usize>j.y + <usize>r0 * rowBytes;
  if (j.activation == ACTIVATION_SOFTMAX) for (let r = r0; r < r1; r++) softmaxF64(j.cols, y + <usize>(r - r0) * rowBytes);
  else activationRowsF64(j.activation, (r1 - r0) * j.cols, y);
}
