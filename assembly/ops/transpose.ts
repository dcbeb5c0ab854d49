// A transposed copy (ONNX Gemm's transA): y[i, kk] = x[kk, i] for an m x k y and a k x m x.
// Task t is a run of the plan's rows of y.
import { Job } from '../generated/job';

export function transposeTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const m = <usize>j.m, k = <usize>j.k, x = <usize>j.x;
  for (let i = <usize>r0; i < <usize>r1; i++) {
    const row = <usize>j.y + ((i * k) << 2);
    for (let kk: usize = 0; kk < k; kk++) store<f32>(row + (kk << 2), load<f32>(x + ((kk * m + i) << 2)));
  }
}
