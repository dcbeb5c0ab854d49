// Expands conv windows into rows of the GEMM's A matrix. Mirrors native/ops/im2col.cc:
// row r is output pixel (n, oy, ox); its columns are the taps in (ky, kx, c) order, 0 in padding.
import { copyFloats, zeroFloats } from '../kernels/copy';
import { Job } from '../generated/job';

/**
 * Rows row0 .. row0 + rows of A into out. The job's fields are read once into locals (the
 * compiler reloads a field after every store, since out might alias it), the pixel advances
 * with counters, and a window row that lies inside the image with dilation 1 is one contiguous
 * run of kw * c floats in NHWC: one copy, not kw (C4's 3 channels make a tap 12 bytes). With
 * cc > 0 a tap is channels [c0, c0 + cc) of its pixel (a grouped convolution's group).
 */
export function im2colNhwc(j: Job, row0: i32, rows: i32, out: usize, c0: i32 = 0, cc: i32 = 0): void {
  const h = j.h, wd = j.wd, kh = j.kh, kw = j.kw, sh = j.sh, sw = j.sw, dh = j.dh, dw = j.dw, pt = j.pt, pl = j.pl;
  const oh = j.oh, ow = j.ow;
  const pixelBytes = <usize>j.c << 2, cBytes = cc > 0 ? <usize>cc << 2 : pixelBytes;
  const rowBytes = <usize>wd * pixelBytes, runBytes = <usize>kw * cBytes;
  const imageBytes = <usize>h * rowBytes;
  const x = <usize>j.x + (<usize>c0 << 2), whole = cBytes == pixelBytes;
  let b = row0 / (oh * ow), oy = row0 / ow % oh, ox = row0 % ow;
  for (let r = 0; r < rows; r++) {
    const image = x + <usize>b * imageBytes;
    const iy0 = oy * sh - pt, ix0 = ox * sw - pl;
    const inside = whole && dw == 1 && ix0 >= 0 && ix0 + kw <= wd;
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (iy < 0 || iy >= h) {
        zeroFloats(out, runBytes);
      } else if (inside) {
        copyFloats(out, image + <usize>iy * rowBytes + <usize>ix0 * cBytes, runBytes);
      } else {
        const line = image + <usize>iy * rowBytes;
        for (let kx = 0, o = out; kx < kw; kx++, o += cBytes) {
          const ix = ix0 + kx * dw;
          if (ix < 0 || ix >= wd) zeroFloats(o, cBytes);
          else copyFloats(o, line + <usize>ix * pixelBytes, cBytes);
        }
      }
      out += runBytes;
    }
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        b++;
      }
    }
  }
}
