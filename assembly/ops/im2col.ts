// Expands conv windows into rows of the GEMM's A matrix. Mirrors native/ops/im2col.cc:
// row r is output pixel (n, oy, ox); its columns are the taps in (ky, kx, c) order, 0 in padding.
import { copyFloats, zeroFloats } from '../kernels/copy';
import { Job } from '../generated/job';

export function im2colNhwc(j: Job, row0: i32, rows: i32, out: usize): void {
  const cBytes = <usize>j.c << 2;
  const imageFloats = <usize>j.h * j.wd * j.c;
  for (let r = row0; r < row0 + rows; r++) {
    const b = r / (j.oh * j.ow), oy = r / j.ow % j.oh, ox = r % j.ow;
    const image = <usize>j.x + (<usize>b * imageFloats << 2);
    for (let ky = 0; ky < j.kh; ky++) {
      const iy = oy * j.sh - j.pt + ky * j.dh;
      for (let kx = 0; kx < j.kw; kx++) {
        const ix = ox * j.sw - j.pl + kx * j.dw;
        if (iy < 0 || iy >= j.h || ix < 0 || ix >= j.wd) zeroFloats(out, cBytes);
        else copyFloats(out, image + ((<usize>iy * j.wd + ix) * j.c << 2), cBytes);
        out += cBytes;
      }
    }
  }
}
