// Average-pool backward as a gather: task t is row t of dx (image t / h, row t % h); each cell
// sums dy / divisor over the windows that hold it in window-tap order (ky, then kx), so its bits
// never depend on the threads. w: dy, y: dx. Mirrors native/ops/avgpool2d-grad.cc.
import { Job } from '../generated/job';

/** The output index whose window's tap t reads input cell i along one axis, or -1. */
// @ts-ignore: decorator
@inline
function windowOf(i: i32, t: i32, s: i32, d: i32, pad: i32, out: i32): i32 {
  const at = i + pad - t * d;
  if (at < 0 || at % s != 0 || at / s >= out) return -1;
  return at / s;
}

/** The window's cells inside [0, n) along one axis. */
// @ts-ignore: decorator
@inline
function realCount(o: i32, n: i32, k: i32, s: i32, d: i32, pad: i32): i32 {
  let count = 0;
  for (let t = 0; t < k; t++) {
    const i = o * s + t * d - pad;
    if (i >= 0 && i < n) count++;
  }
  return count;
}

export function avgpool2dGradTask(j: Job, row: i32): void {
  const c = j.c, b = row / j.h, iy = row % j.h;
  const pixelBytes = <usize>c << 2;
  const g = <usize>j.w + <usize>b * j.oh * j.ow * pixelBytes;
  const d = <usize>j.y + <usize>row * j.wd * pixelBytes;
  memory.fill(d, 0, <usize>j.wd * pixelBytes);
  const whole = <f32>(j.kh * j.kw);
  for (let ky = 0; ky < j.kh; ky++) {
    const oy = windowOf(iy, ky, j.sh, j.dh, j.pt, j.oh);
    if (oy < 0) continue;
    const ry = <f32>realCount(oy, j.h, j.kh, j.sh, j.dh, j.pt);
    for (let ix = 0; ix < j.wd; ix++) {
      const di = d + <usize>ix * pixelBytes;
      for (let kx = 0; kx < j.kw; kx++) {
        const ox = windowOf(ix, kx, j.sw, j.dw, j.pl, j.ow);
        if (ox < 0) continue;
        const divisor = j.countPad ? whole : ry * <f32>realCount(ox, j.wd, j.kw, j.sw, j.dw, j.pl);
        const go = g + (<usize>oy * j.ow + <usize>ox) * pixelBytes;
        let o: usize = 0;
        if (ASC_FEATURE_SIMD) {
          const vd = f32x4.splat(divisor);
          for (; o + 16 <= pixelBytes; o += 16) v128.store(di + o, f32x4.add(v128.load(di + o), f32x4.div(v128.load(go + o), vd)));
        }
        for (; o < pixelBytes; o += 4) store<f32>(di + o, load<f32>(di + o) + load<f32>(go + o) / divisor);
      }
    }
  }
}
