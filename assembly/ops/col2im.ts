// The adjoint of im2col: rows [row0, row0 + m) of dA (x, k = kh*kw*c columns) added back into
// the cells they were read from, in dx (y). Task t is the segment's rows of its t-th image (images
// share no cell); the task holding an image's first row zeroes that image first. Rows in order,
// a row's taps in (ky, kx) order: every cell's sum has an order fixed by the shape.
// Mirrors native/ops/col2im.cc.
import { Job } from '../generated/job';

export function col2imTask(j: Job, task: i32): void {
  const pixels = j.oh * j.ow, c = j.c, k = j.kh * j.kw * c;
  const b = j.row0 / pixels + task;
  const a = max(j.row0, b * pixels), e = min(j.row0 + j.m, (b + 1) * pixels);
  const imageFloats = <usize>j.h * j.wd * c;
  const image = <usize>j.y + (<usize>b * imageFloats << 2);
  if (a == b * pixels) memory.fill(image, 0, imageFloats << 2);
  let src = <usize>j.x + (<usize>(a - j.row0) * k << 2);
  for (let r = a; r < e; r++, src += <usize>k << 2) {
    const oy = r / j.ow % j.oh, ox = r % j.ow;
    const x0 = ox * j.sw - j.pl;
    // The taps kx in [kx0, kx1) land inside the row: 0 <= x0 + kx * dw < wd.
    const kx0 = x0 >= 0 ? 0 : (-x0 + j.dw - 1) / j.dw;
    const kx1 = x0 >= j.wd ? 0 : min(j.kw, (j.wd - x0 + j.dw - 1) / j.dw);
    if (kx0 >= kx1) continue;
    for (let ky = 0; ky < j.kh; ky++) {
      const iy = oy * j.sh - j.pt + ky * j.dh;
      if (iy < 0 || iy >= j.h) continue;
      let s = src + (<usize>((ky * j.kw + kx0) * c) << 2);
      let d = image + (<usize>((iy * j.wd + x0 + kx0 * j.dw) * c) << 2);
      if (j.dw == 1) {
        const end = s + (<usize>((kx1 - kx0) * c) << 2);
        for (; s < end; s += 4, d += 4) store<f32>(d, load<f32>(d) + load<f32>(s));
      } else {
        const step = <usize>((j.dw - 1) * c) << 2;
        for (let kx = kx0; kx < kx1; kx++, d += step)
          for (let i = 0; i < c; i++, s += 4, d += 4) store<f32>(d, load<f32>(d) + load<f32>(s));
      }
    }
  }
}
