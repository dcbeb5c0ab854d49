// MaxPool2D task: a run of output pixels, each the channel-wise max over the window's real
// cells (padding is skipped). A NaN in a window gives NaN (f32x4.max and f32.max propagate it);
// a window with no real cell gives -infinity (the JavaScript side rejects those first).
import { Job } from '../job';

// @ts-ignore: decorator
@inline
function maxInto(y: usize, src: usize, c: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      v128.store(y + o, f32x4.max(v128.load(y + o), v128.load(src + o)));
    }
  }
  for (; j < c; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, Mathf.max(load<f32>(y + o), load<f32>(src + o)));
  }
}

export function maxpool2dTask(j: Job, task: i32): void {
  const pixels = j.n * j.oh * j.ow;
  const p0 = task * j.rowsPerTask, p1 = min(pixels, p0 + j.rowsPerTask);
  const cBytes = <usize>j.c << 2;
  const imageFloats = <usize>j.h * j.wd * j.c;
  for (let r = p0; r < p1; r++) {
    const b = r / (j.oh * j.ow), oy = r / j.ow % j.oh, ox = r % j.ow;
    const image = <usize>j.x + (<usize>b * imageFloats << 2);
    const y = <usize>j.y + (<usize>r << 2) * j.c;
    let first = true;
    for (let ky = 0; ky < j.kh; ky++) {
      const iy = oy * j.sh - j.pt + ky * j.dh;
      if (iy < 0 || iy >= j.h) continue;
      for (let kx = 0; kx < j.kw; kx++) {
        const ix = ox * j.sw - j.pl + kx * j.dw;
        if (ix < 0 || ix >= j.wd) continue;
        const src = image + ((<usize>iy * j.wd + ix) * j.c << 2);
        if (first) memory.copy(y, src, cBytes);
        else maxInto(y, src, j.c);
        first = false;
      }
    }
    if (first) for (let c = 0; c < j.c; c++) store<f32>(y + (<usize>c << 2), -Infinity);
  }
}
