// PReLU's jobs. prelu: task t is a run of rows (rowsPerTask) of y from x (w: the c alphas).
// preluGrad: task t is chunk t of rowsPerTask rows: dx (y) from x and dy (addend), and the
// chunk's float64 sums of dy * x where x <= 0 at bias + 8c bytes per chunk; the caller adds the
// chunks in order. Mirrors native/ops/prelu.cc.
import { Job } from '../generated/job';
import { prelu, preluGrad } from '../kernels/f32-prelu';

export function preluTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, rows = min(j.m, r0 + j.rowsPerTask) - r0, start = <usize>r0 * j.c << 2;
  prelu(rows, j.c, <usize>j.x + start, j.w, <usize>j.y + start);
}

export function preluGradTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, rows = min(j.m, r0 + j.rowsPerTask) - r0, start = <usize>r0 * j.c << 2;
  const sums = <usize>j.bias + (<usize>task * j.c << 3);
  preluGrad(rows, j.c, <usize>j.x + start, <usize>j.addend + start, j.w, <usize>j.y + start, sums);
}
