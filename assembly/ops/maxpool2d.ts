// MaxPool2D and AveragePooling2D task: a run of output pixels (the plan's), each the
// channel-wise max over the window's real cells (padding is skipped), or their sum divided by
// their count (or by the whole window with countPad). Mirrors native/ops/maxpool2d.cc. A NaN
// in a window gives NaN; a window with no real cell gives -infinity (the JavaScript side
// rejects those first).
import { Job } from '../generated/job';
import { avgpoolNhwc, maxpoolNhwc } from '../kernels/f32-maxpool-nhwc';
import { interiorEnd, interiorOffsets } from './window-offsets';

/**
 * Pixels of one task; the participant's workspace holds the window's tap offsets. A window that
 * lies wholly inside the image has the same offsets from its first cell as every other such
 * window, so that list is written once and kept while the windows stay inside; a window cut by
 * the padding gets its own list (offsets from the image's start).
 */
export function maxpool2dTask(j: Job, job: i32, workspace: usize, average: bool = false): void {
  const window = <f32>(j.kh * j.kw);
  const pixels = j.n * j.oh * j.ow;
  // A job is a run of pixels and, with few runs (plan.ts), a block of panelsPerTask 16-channel
  // groups: its windows then one a call, at its channels' offset.
  const groups = (j.c + 15) >> 4, blocks = j.panelsPerTask > 0 ? (groups + j.panelsPerTask - 1) / j.panelsPerTask : 1;
  const task = job / blocks, ch0 = job % blocks * (j.panelsPerTask << 4), channels = min(j.c - ch0, blocks > 1 ? j.panelsPerTask << 4 : j.c);
  const channelBytes = <usize>ch0 << 2;
  const p0 = task * j.rowsPerTask, p1 = min(pixels, p0 + j.rowsPerTask);
  const imageBytes = <usize>j.h * j.wd * j.c << 2;
  const pixelBytes = <usize>j.c << 2, rowBytes = <usize>j.wd * pixelBytes;
  const spanY = (j.kh - 1) * j.dh, spanX = (j.kw - 1) * j.dw;
  let interiorList = false;
  // The output pixel (image b, oy, ox) advances with r: divisions once per task.
  let b = p0 / (j.oh * j.ow), oy = p0 / j.ow % j.oh, ox = p0 % j.ow;
  // A window inside the image is followed along its row by more up to ox = oxIn1 (exclusive).
  const oxIn1 = interiorEnd(j);
  for (let r = p0; r < p1; ) {
    const image = <usize>j.x + <usize>b * imageBytes + channelBytes;
    const y = <usize>j.y + <usize>r * pixelBytes + channelBytes;
    const iy0 = oy * j.sh - j.pt, ix0 = ox * j.sw - j.pl;
    let run = 1;
    if (iy0 >= 0 && iy0 + spanY < j.h && ix0 >= 0 && ix0 + spanX < j.wd) {
      if (!interiorList) {
        interiorOffsets(j, workspace, rowBytes, pixelBytes);
        interiorList = true;
      }
      // This window and the next ones inside the row, within the task: one call.
      run = blocks > 1 ? 1 : min(oxIn1 - ox, p1 - r);
      const corner = image + <usize>iy0 * rowBytes + <usize>ix0 * pixelBytes;
      if (average) avgpoolNhwc(y, corner, workspace, j.kh * j.kw, channels, window, run, <usize>j.sw * pixelBytes);
      else maxpoolNhwc(y, corner, workspace, j.kh * j.kw, channels, run, <usize>j.sw * pixelBytes);
    } else {
      interiorList = false;
      let count = 0;
      for (let ky = 0; ky < j.kh; ky++) {
        const iy = iy0 + ky * j.dh;
        if (iy < 0 || iy >= j.h) continue;
        for (let kx = 0; kx < j.kw; kx++) {
          const ix = ix0 + kx * j.dw;
          if (ix < 0 || ix >= j.wd) continue;
          store<u32>(workspace + (<usize>count << 2), <u32>(<usize>iy * rowBytes + <usize>ix * pixelBytes));
          count++;
        }
      }
      if (count == 0) {
        for (let c = 0; c < channels; c++) store<f32>(y + (<usize>c << 2), -Infinity);
      } else if (average) {
        avgpoolNhwc(y, image, workspace, count, channels, j.countPad ? window : <f32>count);
      } else {
        maxpoolNhwc(y, image, workspace, count, channels);
      }
    }
    r += run;
    ox += run;
    if (ox == j.ow) {
      ox = 0;
      if (++oy == j.oh) {
        oy = 0;
        b++;
      }
    }
  }
}
