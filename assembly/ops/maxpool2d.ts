// MaxPool2D task: a run of output pixels, each the channel-wise max over the window's real
// cells (padding is skipped). A NaN in a window gives NaN (f32x4.max and f32.max propagate it);
// a window with no real cell gives -infinity (the JavaScript side rejects those first).
import { Job } from '../job';

/**
 * y[0..c) = max over the taps listed at taps[0..count) (pointers), c channels. Each group of 4
 * channels stays in a register across all taps: one store per group, not one per tap. pmax is
 * one instruction where IEEE max is several, so NaN is tracked on the side: any NaN tap gives NaN.
 */
function maxOfTaps(y: usize, taps: usize, count: i32, c: i32): void {
  const last = taps + (<usize>count << 2);
  let o: usize = 0;
  const bytes = <usize>c << 2;
  if (ASC_FEATURE_SIMD) {
    for (; o + 16 <= bytes; o += 16) {
      let m = v128.load(load<u32>(taps) + o);
      let nan = f32x4.ne(m, m);
      for (let t = taps + 4; t < last; t += 4) {
        const v = v128.load(load<u32>(t) + o);
        nan = v128.or(nan, f32x4.ne(v, v));
        m = f32x4.pmax(m, v);
      }
      v128.store(y + o, v128.bitselect(f32x4.splat(NaN), m, nan));
    }
  }
  for (; o < bytes; o += 4) {
    let m = load<f32>(load<u32>(taps) + o);
    for (let t = taps + 4; t < last; t += 4) m = Mathf.max(m, load<f32>(load<u32>(t) + o));
    store<f32>(y + o, m);
  }
}

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
      maxOfTaps(y, workspace, count, j.c);
    }
  }
}
