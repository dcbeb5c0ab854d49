// Batch normalization's jobs. channelAffine: task t is a run of rows (rowsPerTask) of
// y = x * s + t (w: s then t, 2c floats), plus (addend - u) * s2 when addend is not 0 (bias: u
// then s2, 2c floats), clamped as the activation's epilogue clamps (relu, relu6). channelSums: task t is chunk t of rowsPerTask rows, whose sums of addend
// and of (x - u) * (addend - v) (w: u then v) go to y at 2c floats per chunk; the caller adds the
// chunks in order. Mirrors native/ops/batchnorm.cc.
import { Job } from '../generated/job';
import { clampMax, clampMin } from '../kernels/clamp';
import { channelAffine, channelSums } from '../kernels/f32-batchnorm';

export function channelAffineTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, rows = min(j.m, r0 + j.rowsPerTask) - r0;
  const c = j.c, start = <usize>r0 * c << 2, vec = <usize>c << 2;
  const x2 = j.addend ? <usize>j.addend + start : 0;
  channelAffine(rows, c, <usize>j.x + start, j.w, <usize>j.w + vec, x2, j.bias, <usize>j.bias + vec, clampMin(j.activation), clampMax(j.activation), <usize>j.y + start);
}

export function channelSumsTask(j: Job, task: i32): void {
  const r0 = task * j.rowsPerTask, rows = min(j.m, r0 + j.rowsPerTask) - r0;
  const c = j.c, start = <usize>r0 * c << 2, vec = <usize>c << 2;
  const out = <usize>j.y + <usize>task * 2 * vec;
  channelSums(rows, c, <usize>j.x + start, <usize>j.addend + start, j.w, <usize>j.w + vec, out, out + vec);
}
