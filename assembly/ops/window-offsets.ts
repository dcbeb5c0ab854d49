// What the windowed tasks over tap offsets share (max-pool, depthwise convolution).
import { Job } from '../generated/job';

/** Writes the byte offset of each tap from a window's first cell (a window inside the image) at list. */
export function interiorOffsets(j: Job, list: usize, rowBytes: usize, pixelBytes: usize): void {
  let t = list;
  for (let ky = 0; ky < j.kh; ky++) {
    for (let kx = 0; kx < j.kw; kx++, t += 4) store<u32>(t, <u32>(<usize>ky * j.dh * rowBytes + <usize>kx * j.dw * pixelBytes));
  }
}

/** The first output column whose window reaches past the image's right edge (windows inside a row end there). */
export function interiorEnd(j: Job): i32 {
  const spanX = (j.kw - 1) * j.dw;
  return j.wd - spanX + j.pl > 0 ? min(j.ow, (j.wd - spanX - 1 + j.pl) / j.sw + 1) : 0;
}
