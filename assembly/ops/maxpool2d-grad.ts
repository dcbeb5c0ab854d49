// Max-pool backward: each window's gradient (w: dy) to one cell of dx (y), the argmax recomputed
// from x with the forward's rule (the first maximal tap in row-major window order; where a
// window holds a NaN, its first NaN); padding never takes gradient. Task t is image t (images
// share no cell), its windows in output order. The slot holds each channel's running max and
// its offset. Mirrors native/ops/maxpool2d-grad.cc.
import { Job } from '../generated/job';

export function maxpool2dGradTask(j: Job, b: i32, workspace: usize): void {
  const c = j.c, imageFloats = <usize>j.h * j.wd * c;
  const best = workspace, at = workspace + (<usize>c << 2);
  const x = <usize>j.x + (<usize>b * imageFloats << 2), dx = <usize>j.y + (<usize>b * imageFloats << 2);
  let g = <usize>j.w + (<usize>b * j.oh * j.ow * c << 2);
  memory.fill(dx, 0, imageFloats << 2);
  for (let oy = 0; oy < j.oh; oy++)
    for (let ox = 0; ox < j.ow; ox++, g += <usize>c << 2) {
      let first = true;
      for (let ky = 0; ky < j.kh; ky++) {
        const iy = oy * j.sh - j.pt + ky * j.dh;
        if (iy < 0 || iy >= j.h) continue;
        for (let kx = 0; kx < j.kw; kx++) {
          const ix = ox * j.sw - j.pl + kx * j.dw;
          if (ix < 0 || ix >= j.wd) continue;
          const cell = (iy * j.wd + ix) * c;
          const v = x + (<usize>cell << 2);
          for (let ci = 0; ci < c; ci++) {
            const vi = load<f32>(v + (<usize>ci << 2)), m = load<f32>(best + (<usize>ci << 2));
            // A later tap wins when strictly greater, or when it is the first NaN (a NaN max is never replaced).
            if (first || (m == m && (vi > m || vi != vi))) {
              store<f32>(best + (<usize>ci << 2), vi);
              store<i32>(at + (<usize>ci << 2), cell + ci);
            }
          }
          first = false;
        }
      }
      for (let ci = 0; ci < c; ci++) {
        const d = dx + (<usize>load<i32>(at + (<usize>ci << 2)) << 2);
        store<f32>(d, load<f32>(d) + load<f32>(g + (<usize>ci << 2)));
      }
    }
}
