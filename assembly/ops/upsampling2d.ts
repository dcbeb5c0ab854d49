// UpSampling2D and its backward. Forward task t: rows [t * rowsPerTask, ...) of j.m rows (nearest:
// input rows, each making its sh output rows; bilinear: output rows). Backward task t: input
// rows, each cell gathering the gradients of the outputs that read it in row-major order.
// Mirrors native/ops/upsampling2d.cc.
import { PATH_UPSAMPLE_BILINEAR } from '../generated/kernels';
import { Job } from '../generated/job';
import { addFloats, addScaledFloats, blendFloats } from '../kernels/f32-rows';
import { copyFloats, zeroFloats } from '../kernels/copy';

// Output o of an axis of `out` cells (from `inSize`): tf.image.resize's source position, in float64.
// @ts-ignore: decorator
@inline
function source(o: i32, inSize: i32, out: i32): f64 {
  return <f64>inSize / <f64>out * (<f64>o + 0.5) - 0.5;
}
// @ts-ignore: decorator
@inline
function lowCell(src: f64): i32 {
  return <i32>max<f64>(0, Math.floor(src));
}
// @ts-ignore: decorator
@inline
function highCell(src: f64, inSize: i32): i32 {
  return min(inSize - 1, <i32>max<f64>(0, Math.ceil(src)));
}
// @ts-ignore: decorator
@inline
function fraction(src: f64): f32 {
  return <f32>(src - max<f64>(0, Math.floor(src)));
}
/** Output o's weight on input cell i along one axis. */
function weight(o: i32, i: i32, inSize: i32, out: i32): f32 {
  const src = source(o, inSize, out), f = fraction(src);
  return (lowCell(src) == i ? <f32>1 - f : 0) + (highCell(src, inSize) == i ? f : 0);
}

export function upsampling2dTask(j: Job, task: i32): void {
  const c = j.c, cBytes = <usize>c << 2, r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const rowBytes = <usize>j.ow * cBytes;
  for (let r = r0; r < r1; r++) {
    if (j.path == PATH_UPSAMPLE_BILINEAR) {
      const b = r / j.oh, oy = r % j.oh, sy = source(oy, j.h, j.oh);
      const image = <usize>j.x + (<usize>b * j.h * j.wd * c << 2);
      const top = image + (<usize>lowCell(sy) * j.wd * cBytes), bottom = image + (<usize>highCell(sy, j.h) * j.wd * cBytes);
      const fy = fraction(sy), out = <usize>j.y + <usize>r * rowBytes;
      for (let ox = 0; ox < j.ow; ox++) {
        const sx = source(ox, j.wd, j.ow);
        const lo = <usize>lowCell(sx) * cBytes, hi = <usize>highCell(sx, j.wd) * cBytes;
        blendFloats(top + lo, top + hi, bottom + lo, bottom + hi, fraction(sx), fy, out + <usize>ox * cBytes, c);
      }
    } else {
      const src = <usize>j.x + (<usize>r * j.wd * cBytes), out = <usize>j.y + <usize>r * j.sh * rowBytes;
      for (let ix = 0; ix < j.wd; ix++)
        for (let q = 0; q < j.sw; q++) copyFloats(out + <usize>(ix * j.sw + q) * cBytes, src + <usize>ix * cBytes, cBytes);
      for (let i = 1; i < j.sh; i++) memory.copy(out + <usize>i * rowBytes, out, rowBytes);
    }
  }
}

export function upsampling2dGradTask(j: Job, task: i32): void {
  const c = j.c, cBytes = <usize>c << 2, r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const bilinear = j.path == PATH_UPSAMPLE_BILINEAR;
  for (let r = r0; r < r1; r++) {
    const b = r / j.h, iy = r % j.h;
    const image = <usize>j.x + (<usize>b * j.oh * j.ow * c << 2);
    for (let ix = 0; ix < j.wd; ix++) {
      const cell = <usize>j.y + (<usize>(r * j.wd + ix) * cBytes);
      zeroFloats(cell, cBytes);
      if (!bilinear) {
        for (let oy = iy * j.sh; oy < (iy + 1) * j.sh; oy++)
          for (let ox = ix * j.sw; ox < (ix + 1) * j.sw; ox++) addFloats(cell, image + <usize>(oy * j.ow + ox) * cBytes, c);
        continue;
      }
      const oy1 = min(j.oh, (iy + 2) * j.sh), ox1 = min(j.ow, (ix + 2) * j.sw);
      for (let oy = iy == 0 ? 0 : (iy - 1) * j.sh; oy < oy1; oy++) {
        const wy = weight(oy, iy, j.h, j.oh);
        if (wy == 0) continue;
        for (let ox = ix == 0 ? 0 : (ix - 1) * j.sw; ox < ox1; ox++) {
          const wx = weight(ox, ix, j.wd, j.ow);
          if (wx != 0) addScaledFloats(cell, image + <usize>(oy * j.ow + ox) * cBytes, wy * wx, c);
        }
      }
    }
  }
}
