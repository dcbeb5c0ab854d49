// im2col and its adjoint col2im, in TypeScript for the backward passes (the forward runs its own
// native/wasm kernels; kernels for these two are a later step). Rows are output pixels in NHWC
// order (b, oy, ox); columns are (ky, kx, ci), the row order of the HWIO kernel, so that
// im2col(x) [N*oh*ow, kh*kw*c] times the kernel [kh*kw*c, oc] is the convolution.
import type { WindowParams } from '../backends/backend';

/**
 * Calls visit(colAt, xAt) for each tap of each window that falls on a real cell: the c floats at
 * cols[colAt..] belong to x[xAt..]. Taps on padding are not visited (they read 0 and take no
 * gradient). Visits in row-major order, so col2im's sums have a fixed order.
 */
function eachTap(p: WindowParams, visit: (colAt: number, xAt: number) => void): void {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = p;
  const rowLength = kh * kw * c;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++, row++)
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            visit(row * rowLength + (ky * kw + kx) * c, ((b * h + iy) * w + ix) * c);
          }
        }
}

/** The patch matrix [n*oh*ow, kh*kw*c] of x (NHWC, p.n x p.h x p.w x p.c); padding reads 0. */
export function im2col(x: Float32Array, p: WindowParams): Float32Array {
  const cols = new Float32Array(p.n * p.oh * p.ow * p.kh * p.kw * p.c);
  const c = p.c;
  eachTap(p, (colAt, xAt) => {
    for (let i = 0; i < c; i++) cols[colAt + i] = x[xAt + i];
  });
  return cols;
}

/** The adjoint of im2col: each column entry added back into the cell it was read from. */
export function col2im(cols: Float32Array, p: WindowParams): Float32Array {
  const dx = new Float32Array(p.n * p.h * p.w * p.c);
  const c = p.c;
  eachTap(p, (colAt, xAt) => {
    for (let i = 0; i < c; i++) dx[xAt + i] += cols[colAt + i];
  });
  return dx;
}
