// Permute: each sample's axes [h, wd, c] reordered, output axis k being input axis (kh, kw, sh)[k]
// (the job's window fields carry the permutation). Task t: output rows [t * rowsPerTask, ...) of
// j.m (sample, first output index), each read through its input strides, a run of floats where
// the last axis stays last. Mirrors native/ops/permute.cc.
import { Job } from '../generated/job';
import { copyFloats } from '../kernels/copy';

// @ts-ignore: decorator
@inline
function pick(i: i32, a: i32, b: i32, c: i32): i32 {
  return i == 0 ? a : i == 1 ? b : c;
}

export function permuteTask(j: Job, task: i32): void {
  const o0 = pick(j.kh, j.h, j.wd, j.c), o1 = pick(j.kw, j.h, j.wd, j.c), o2 = pick(j.sh, j.h, j.wd, j.c);
  const rowStride = j.wd * j.c;
  const s0 = pick(j.kh, rowStride, j.c, 1), s1 = pick(j.kw, rowStride, j.c, 1), s2 = pick(j.sh, rowStride, j.c, 1);
  const sample = j.h * rowStride, r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  for (let r = r0; r < r1; r++) {
    const src = <usize>j.x + (<usize>(r / o0 * sample + r % o0 * s0) << 2);
    let out = <usize>j.y + (<usize>r * o1 * o2 << 2);
    for (let i1 = 0; i1 < o1; i1++, out += <usize>o2 << 2) {
      const line = src + (<usize>(i1 * s1) << 2);
      if (s2 == 1) copyFloats(out, line, <usize>o2 << 2);
      else for (let i2 = 0; i2 < o2; i2++) store<f32>(out + (<usize>i2 << 2), load<f32>(line + (<usize>(i2 * s2) << 2)));
    }
  }
}
