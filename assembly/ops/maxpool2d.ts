// MaxPool2D task: a run of output pixels (the plan's), each the channel-wise max over the
// window's real cells (padding is skipped). Mirrors native/ops/maxpool2d.cc. A NaN in a window
// gives NaN; a window with no real cell gives -infinity (the JavaScript side rejects those first).
import { Job } from '../generated/job';
import { maxpoolNhwc } from '../kernels/f32-maxpool-nhwc';

/** Pixels of one task; the participant's workspace holds the window's tap pointers. */
export function maxpool2dTask(j: Job, task: i32, workspace: usize): void {
  const pixels = j.n * j.oh * j.ow;
  const p0 = task * j.rowsPerTask, p1 = min(pixels, p0 + j.rowsPerTask);
  const imageFloats = <usize>j.h * j.wd * j.c;
  for (let r = p0; r < p1; r++) {
    const b = r / (j.oh * j.ow), oy = r / j.ow % j.oh, ox = r % j.ow;
    const image = <usize>j.x + (<usize>b * imageFloats << 2);
    const y = <usize>j.y + (<usize>r << 2) * j.c;
    let count = 0;
    for (let ky = 0; ky < j.kh; ky++) {
      const iy = oy * j.sh - j.pt + ky * j.dh;
      if (iy < 0 || iy >= j.h) continue;
      for (let kx = 0; kx < j.kw; kx++) {
        const ix = ox * j.sw - j.pl + kx * j.dw;
        if (ix < 0 || ix >= j.wd) continue;
        store<u32>(workspace + (<usize>count << 2), <u32>(image + ((<usize>iy * j.wd + ix) * j.c << 2)));
        count++;
      }
    }
    if (count == 0) {
      for (let c = 0; c < j.c; c++) store<f32>(y + (<usize>c << 2), -Infinity);
    } else {
      maxpoolNhwc(y, workspace, count, j.c);
    }
  }
}
