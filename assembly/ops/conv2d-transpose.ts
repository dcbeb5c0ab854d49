// Conv2DTranspose: task t is a band of rowsPerTask output rows of one image. It starts from the
// bias, multiplies the input pixels whose taps reach the band (in chunks of m pixels, into the
// participant's slot after its edge tile) by the packed W^T, adds each pixel's columns into the
// band in pixel order, then clamps (relu, relu6). Mirrors native/ops/conv2d-transpose.cc.
import { NR } from '../generated/kernels';
import { clampMax, clampMin } from '../kernels/clamp';
import { Job } from '../generated/job';
import { gemmTile, TILE_SCRATCH_BYTES } from '../kernels/gemm-driver';
import { addFloats } from '../kernels/f32-rows';
import { zeroFloats } from '../kernels/copy';

export function conv2dTransposeTask(j: Job, task: i32, workspace: usize): void {
  const oc = j.oc, k = j.cols, c = j.c, oh = j.oh, ow = j.ow, wd = j.wd;
  const bands = (oh + j.rowsPerTask - 1) / j.rowsPerTask;
  const b = task / bands, oy0 = task % bands * j.rowsPerTask, oy1 = min(oh, oy0 + j.rowsPerTask);
  const ocBytes = <usize>oc << 2;
  const out = <usize>j.y + (<usize>b * oh * ow * oc << 2);
  const band = out + (<usize>oy0 * ow * oc << 2), cells = (oy1 - oy0) * ow;
  for (let i = 0; i < cells; i++) {
    const cell = band + <usize>i * ocBytes;
    if (j.bias != 0) memory.copy(cell, <usize>j.bias, ocBytes);
    else zeroFloats(cell, ocBytes);
  }
  // The input rows [iy0, iy1) whose taps land in the band.
  const reach = oy0 + j.pt - (j.kh - 1) * j.dh;
  const iy0 = reach <= 0 ? 0 : (reach + j.sh - 1) / j.sh, iy1 = min(j.h, (oy1 - 1 + j.pt) / j.sh + 1);
  const cols = workspace + TILE_SCRATCH_BYTES;
  const image = <usize>j.x + (<usize>b * j.h * wd * c << 2);
  for (let p0 = iy0 * wd; p0 < iy1 * wd; p0 += j.m) {
    const len = min(j.m, iy1 * wd - p0);
    gemmTile(0, len, 0, (k + NR - 1) / NR, k, c, 0, c, j.kBlock, image + (<usize>p0 * c << 2), c, j.w, cols, k, 0, -Infinity, Infinity, false, true, workspace);
    for (let r = 0; r < len; r++) {
      const iy = (p0 + r) / wd, ix = (p0 + r) % wd;
      const row = cols + (<usize>r * k << 2);
      for (let ky = 0; ky < j.kh; ky++) {
        const oy = iy * j.sh + ky * j.dh - j.pt;
        if (oy < oy0 || oy >= oy1) continue;
        for (let kx = 0; kx < j.kw; kx++) {
          const ox = ix * j.sw + kx * j.dw - j.pl;
          if (ox < 0 || ox >= ow) continue;
          addFloats(out + (<usize>(oy * ow + ox) * ocBytes), row + (<usize>(ky * j.kw + kx) * ocBytes), oc);
        }
      }
    }
  }
  const low = clampMin(j.activation), high = clampMax(j.activation);
  if (low > -Infinity || high < Infinity) {
    const end = band + <usize>cells * ocBytes;
    for (let p = band; p < end; p += 4) store<f32>(p, min(max(load<f32>(p), low), high));
  }
}
