// ZeroPadding2D and Cropping2D task: a run of output rows (n * oh, the plan's), each zeros (a
// padded row) or zeros, one span of an input row (cropped by ct rows and cl columns), zeros.
// Mirrors native/ops/pad2d.cc. Row copies: memory.copy and memory.fill, no pixel loop.
import { Job } from '../generated/job';

export function pad2dTask(j: Job, task: i32): void {
  const rows = j.n * j.oh, r0 = task * j.rowsPerTask, r1 = min(rows, r0 + j.rowsPerTask);
  const pixelBytes = <usize>j.c << 2, rowBytes = <usize>j.ow * pixelBytes;
  const keptRows = j.oh - j.pt - j.pb;
  const left = <usize>j.pl * pixelBytes, span = <usize>(j.ow - j.pl - j.pr) * pixelBytes, right = <usize>j.pr * pixelBytes;
  for (let r = r0; r < r1; r++) {
    const out = <usize>j.y + <usize>r * rowBytes;
    const b = r / j.oh, oy = r % j.oh;
    if (oy < j.pt || oy >= j.pt + keptRows) {
      memory.fill(out, 0, rowBytes);
      continue;
    }
    const iy = oy - j.pt + j.ct;
    const input = <usize>j.x + ((<usize>b * j.h + <usize>iy) * j.wd + <usize>j.cl) * pixelBytes;
    memory.fill(out, 0, left);
    memory.copy(out + left, input, span);
    memory.fill(out + left + span, 0, right);
  }
}
