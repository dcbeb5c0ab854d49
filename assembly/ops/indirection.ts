// The indirection buffer of an indirect-GEMM convolution: for each output pixel and window tap,
// the address of the input pixel's channels, or of a zero vector in the padding. Mirrors
// native/ops/indirection.cc: rows in tiles of MR, tile t, tap k (ky * kw + kx), row i at
// ind[(t * taps + k) * MR + i]; rows past `rows` in the last tile repeat its last row.
import { MR } from '../generated/kernels';
import { Job } from '../generated/job';

/**
 * Rows row0 .. row0 + rows into ind. A window inside the image (all but the padded edges) walks
 * its taps from its corner by adding the tap steps, with no bounds test per tap: building the
 * buffer took C2 (12 channels, K = 108) a tenth of its time with a test per tap.
 */
export function indirectionNhwc(j: Job, row0: i32, rows: i32, zeros: usize, ind: usize): void {
  const h = j.h, wd = j.wd, kh = j.kh, kw = j.kw, sh = j.sh, sw = j.sw, dh = j.dh, dw = j.dw, pt = j.pt, pl = j.pl;
  const oh = j.oh, ow = j.ow, taps = kh * kw, spanY = (kh - 1) * dh, spanX = (kw - 1) * dw;
  const cBytes = <usize>j.c << 2, rowBytes = <usize>wd * cBytes, imageBytes = <usize>h * rowBytes;
  const stepY = <usize>dh * rowBytes, stepX = <usize>dw * cBytes, tapBytes: usize = MR << 2;
  const x = <usize>j.x;
  let b = row0 / (oh * ow), oy = row0 / ow % oh, ox = row0 % ow;
  for (let r0 = 0; r0 < rows; r0 += MR, ind += <usize>taps * tapBytes) {
    for (let i = 0; i < MR; i++) {
      const image = x + <usize>b * imageBytes;
      const y0 = oy * sh - pt, x0 = ox * sw - pl;
      let q = ind + (<usize>i << 2);
      if (y0 >= 0 && y0 + spanY < h && x0 >= 0 && x0 + spanX < wd) {
        for (let ky = 0, line = image + <usize>y0 * rowBytes + <usize>x0 * cBytes; ky < kh; ky++, line += stepY) {
          for (let kx = 0, p = line; kx < kw; kx++, p += stepX, q += tapBytes) store<u32>(q, <u32>p);
        }
      } else {
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          for (let kx = 0; kx < kw; kx++, q += tapBytes) {
            const ix = x0 + kx * dw;
            const real = iy >= 0 && iy < h && ix >= 0 && ix < wd;
            store<u32>(q, real ? <u32>(image + <usize>iy * rowBytes + <usize>ix * cBytes) : <u32>zeros);
          }
        }
      }
      // Rows past `rows` repeat the last row: the pixel stays put.
      if (r0 + i + 1 < rows && ++ox == ow) {
        ox = 0;
        if (++oy == oh) {
          oy = 0;
          b++;
        }
      }
    }
  }
}
