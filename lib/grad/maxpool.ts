// Max-pool backward in TypeScript (a native/wasm kernel for it is a later step).
import type { WindowParams } from '../backends/backend';

/**
 * dx for max-pooling x (NHWC) given dy, the gradient of its output: each window's gradient goes
 * to one cell, its first maximal element in row-major window order (TensorFlow's rule); where a
 * window holds a NaN (its output is NaN), to its first NaN. Padding never takes gradient. Cells
 * that several windows pick add their gradients, in output order.
 */
export function maxpoolBackward(x: Float32Array, dy: Float32Array, p: WindowParams): Float32Array {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = p;
  const dx = new Float32Array(x.length);
  let out = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ci = 0; ci < c; ci++, out++) {
          let best = -1, max = 0;
          for (let ky = 0; ky < kh && max === max; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix < 0 || ix >= w) continue;
              const at = ((b * h + iy) * w + ix) * c + ci, v = x[at];
              if (best < 0 || v > max || v !== v) {
                best = at;
                max = v;
                if (v !== v) break; // a NaN wins; the outer loop stops too (max !== max)
              }
            }
          }
          dx[best] += dy[out]; // every window holds a real cell (MaxPool2D rejects the others)
        }
  return dx;
}
