// im2col and its adjoint col2im, in TypeScript for the backward passes (the forward runs its own
// native/wasm kernels; kernels for these two are a later step). Rows are output pixels in NHWC
// order (b, oy, ox); columns are (ky, kx, ci), the row order of the HWIO kernel, so that
// im2col(x) [N*oh*ow, kh*kw*c] times the kernel [kh*kw*c, oc] is the convolution.
import type { WindowParams } from '../backends/backend';

/**
 * Calls visit(colAt, xAt, len) for each run of taps of a window row that fall on real cells: the
 * len floats at cols[colAt..] belong to x[xAt..]. With dw = 1 a window row's real taps are one
 * run (contiguous in x as in cols); otherwise each tap is its own run of c floats. Taps on
 * padding are not visited (they read 0 and take no gradient). Runs come in row-major order, so
 * col2im's sums have a fixed order.
 */
function eachRun(p: WindowParams, visit: (colAt: number, xAt: number, len: number) => void): void {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = p;
  const rowLength = kh * kw * c;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++, row++) {
        // The taps kx in [kx0, kx1) land inside the row: 0 <= ox * sw - pl + kx * dw < w.
        const x0 = ox * sw - pl;
        const kx0 = x0 >= 0 ? 0 : Math.ceil(-x0 / dw), kx1 = Math.min(kw, Math.ceil((w - x0) / dw));
        if (kx0 >= kx1) continue;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          const colAt = row * rowLength + (ky * kw + kx0) * c, xAt = ((b * h + iy) * w + x0 + kx0 * dw) * c;
          if (dw === 1) visit(colAt, xAt, (kx1 - kx0) * c);
          else for (let kx = kx0; kx < kx1; kx++) visit(colAt + (kx - kx0) * c, xAt + (kx - kx0) * dw * c, c);
        }
      }
}

/** The patch matrix [n*oh*ow, kh*kw*c] of x (NHWC, p.n x p.h x p.w x p.c); padding reads 0. */
export function im2col(x: Float32Array, p: WindowParams): Float32Array {
  const cols = new Float32Array(p.n * p.oh * p.ow * p.kh * p.kw * p.c);
  eachRun(p, (colAt, xAt, len) => {
    for (let i = 0; i < len; i++) cols[colAt + i] = x[xAt + i];
  });
  return cols;
}

/** The adjoint of im2col: each column entry added back into the cell it was read from. */
export function col2im(cols: Float32Array, p: WindowParams): Float32Array {
  const dx = new Float32Array(p.n * p.h * p.w * p.c);
  eachRun(p, (colAt, xAt, len) => {
    for (let i = 0; i < len; i++) dx[xAt + i] += cols[colAt + i];
  });
  return dx;
}
