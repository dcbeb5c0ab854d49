// DepthwiseConv2D task: a run of output pixels (the plan's), each the sum over its window's taps
// per output channel o of x[.., o / m] * w(tap, o), plus bias, the epilogue's clamp (relu, relu6). Mirrors
// native/ops/depthwise2d.cc. A window cut by the padding reads the job's vector of zeros there.
import { clampMax, clampMin } from '../kernels/clamp';
import { Job } from '../generated/job';
import { dwconvPixels } from '../kernels/f32-dwconv-4-wasmsimd';
import { interiorEnd, interiorOffsets } from './window-offsets';

/**
 * Pixels of one task; the participant's workspace holds the window's tap offsets. A window that
 * lies wholly inside the image has the same offsets from its first cell as every other such
 * window (written once, kept while the windows stay inside); a window cut by the padding lists
 * each tap's address (offsets from 0), the zero vector's for a padding tap.
 */
export function depthwise2dTask(j: Job, task: i32, workspace: usize): void {
  const pixels = j.n * j.oh * j.ow, m = j.oc / j.c, taps = j.kh * j.kw;
  const p0 = task * j.rowsPerTask, p1 = min(pixels, p0 + j.rowsPerTask);
  const imageBytes = <usize>j.h * j.wd * j.c << 2;
  const pixelBytes = <usize>j.c << 2, rowBytes = <usize>j.wd * pixelBytes, outBytes = <usize>j.oc << 2;
  const spanY = (j.kh - 1) * j.dh, spanX = (j.kw - 1) * j.dw;
  const low = clampMin(j.activation), high = clampMax(j.activation);
  let interiorList = false;
  let b = p0 / (j.oh * j.ow), oy = p0 / j.ow % j.oh, ox = p0 % j.ow;
  const oxIn1 = interiorEnd(j);
  for (let r = p0; r < p1; ) {
    const image = <usize>j.x + <usize>b * imageBytes;
    const y = <usize>j.y + <usize>r * outBytes;
    const iy0 = oy * j.sh - j.pt, ix0 = ox * j.sw - j.pl;
    let run = 1, base: usize = 0;
    if (iy0 >= 0 && iy0 + spanY < j.h && ix0 >= 0 && ix0 + spanX < j.wd) {
      if (!interiorList) {
        interiorOffsets(j, workspace, rowBytes, pixelBytes);
        interiorList = true;
      }
      run = min(oxIn1 - ox, p1 - r);
      base = image + <usize>iy0 * rowBytes + <usize>ix0 * pixelBytes;
    } else {
      interiorList = false;
      let t = workspace;
      for (let ky = 0; ky < j.kh; ky++) {
        const iy = iy0 + ky * j.dh;
        for (let kx = 0; kx < j.kw; kx++, t += 4) {
          const ix = ix0 + kx * j.dw;
          const real = iy >= 0 && iy < j.h && ix >= 0 && ix < j.wd;
          store<u32>(t, <u32>(real ? image + <usize>iy * rowBytes + <usize>ix * pixelBytes : <usize>j.zeros));
        }
      }
      base = 0;
    }
    dwconvPixels(y, base, workspace, taps, j.oc, m, j.w, j.bias, low, high, run, <usize>j.sw * pixelBytes);
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
