// The backward of DepthwiseConv2D, after g = dy through the activation's derivative (activation-
// grad.ts). Mirrors native/ops/depthwise2d-grad.cc: every sum in float64, rounded once, in an
// order fixed by the shape. The participant's workspace holds the float64 sums.
import { Job } from '../generated/job';

const CHANNELS_PER_TASK = 16;

/** The output index along one axis whose window's tap k reads input cell i, or -1. */
// @ts-ignore: decorator
@inline
function source(i: i32, k: i32, stride: i32, dilation: i32, pad: i32, out: i32): i32 {
  const at = i + pad - k * dilation;
  if (at < 0 || at % stride != 0) return -1;
  const o = at / stride;
  return o < out ? o : -1;
}

/**
 * Task t: dx of input row t (image t / h, row t % h), each cell gathering from the output pixels
 * whose windows read it, in tap order. x: g, w: the kernel (kh * kw x oc), y: dx.
 */
export function depthwise2dGradInputTask(j: Job, task: i32, workspace: usize): void {
  const b = task / j.h, iy = task % j.h, c = j.c, oc = j.oc, m = oc / c;
  for (let ix = 0; ix < j.wd; ix++) {
    memory.fill(workspace, 0, <usize>c << 3);
    for (let ky = 0; ky < j.kh; ky++) {
      const oy = source(iy, ky, j.sh, j.dh, j.pt, j.oh);
      if (oy < 0) continue;
      for (let kx = 0; kx < j.kw; kx++) {
        const ox = source(ix, kx, j.sw, j.dw, j.pl, j.ow);
        if (ox < 0) continue;
        const gp = <usize>j.x + ((<usize>(b * j.oh + oy) * j.ow + ox) * oc << 2);
        const wt = <usize>j.w + (<usize>(ky * j.kw + kx) * oc << 2);
        for (let o = 0; o < oc; o++) {
          const acc = workspace + (<usize>(o / m) << 3);
          store<f64>(acc, load<f64>(acc) + <f64>load<f32>(gp + (<usize>o << 2)) * <f64>load<f32>(wt + (<usize>o << 2)));
        }
      }
    }
    const out = <usize>j.y + ((<usize>(b * j.h + iy) * j.wd + ix) * c << 2);
    for (let ch = 0; ch < c; ch++) store<f32>(out + (<usize>ch << 2), <f32>load<f64>(workspace + (<usize>ch << 3)));
  }
}

/**
 * Task t: dW and db of output channels [16t, 16t + 16), summed over every output pixel in order.
 * x: the layer's input, w: g, y: dW (kh * kw x oc), bias: db (0: none).
 */
export function depthwise2dGradFilterTask(j: Job, task: i32, workspace: usize): void {
  const c = j.c, oc = j.oc, m = oc / c, taps = j.kh * j.kw;
  const o0 = task * CHANNELS_PER_TASK, o1 = min(oc, o0 + CHANNELS_PER_TASK), width = o1 - o0;
  const bAcc = workspace + (<usize>(taps * width) << 3);
  memory.fill(workspace, 0, <usize>(taps + 1) * width << 3);
  let gp = <usize>j.w;
  for (let b = 0; b < j.n; b++) {
    for (let oy = 0; oy < j.oh; oy++) {
      for (let ox = 0; ox < j.ow; ox++, gp += <usize>oc << 2) {
        for (let o = o0; o < o1; o++) {
          const acc = bAcc + (<usize>(o - o0) << 3);
          store<f64>(acc, load<f64>(acc) + <f64>load<f32>(gp + (<usize>o << 2)));
        }
        for (let ky = 0; ky < j.kh; ky++) {
          const iy = oy * j.sh + ky * j.dh - j.pt;
          if (iy < 0 || iy >= j.h) continue;
          for (let kx = 0; kx < j.kw; kx++) {
            const ix = ox * j.sw + kx * j.dw - j.pl;
            if (ix < 0 || ix >= j.wd) continue;
            const xp = <usize>j.x + ((<usize>(b * j.h + iy) * j.wd + ix) * c << 2);
            const row = workspace + (<usize>((ky * j.kw + kx) * width) << 3);
            for (let o = o0; o < o1; o++) {
              const acc = row + (<usize>(o - o0) << 3);
              store<f64>(acc, load<f64>(acc) + <f64>load<f32>(xp + (<usize>(o / m) << 2)) * <f64>load<f32>(gp + (<usize>o << 2)));
            }
          }
        }
      }
    }
  }
  for (let t = 0; t < taps; t++) {
    for (let o = o0; o < o1; o++) store<f32>(<usize>j.y + (<usize>(t * oc + o) << 2), <f32>load<f64>(workspace + (<usize>(t * width + o - o0) << 3)));
  }
  if (j.bias != 0) {
    for (let o = o0; o < o1; o++) store<f32>(<usize>j.bias + (<usize>o << 2), <f32>load<f64>(bAcc + (<usize>(o - o0) << 3)));
  }
}
