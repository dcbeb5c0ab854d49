// Float64 oracles for Conv2DTranspose and UpSampling2D, written from their definitions (output by
// output, term by term: no GEMM, no col2im), with each output's sum of |terms| for expectClose.
import { activate, type RefActivation, type RefResult } from './reference';

/** A transposed convolution's geometry: output (oy, ox) collects x[iy, ix] W[ky, kx] at oy = iy sh - pt + ky dh. */
export interface TransposeGeometry {
  n: number; h: number; w: number; c: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pt: number; pl: number; oh: number; ow: number; oc: number;
}

export function emptyResult(shape: number[]): RefResult {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: new Float64Array(size), absSum: new Float64Array(size) };
}

function add(r: RefResult, i: number, term: number): void {
  r.data[i] += term;
  r.absSum[i] += Math.abs(term);
}

/** Every (input cell, kernel tap, output cell) of the geometry: fn(xi, wi, yi) for each channel pair. */
function eachTerm(g: TransposeGeometry, fn: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.n; b++)
    for (let iy = 0; iy < g.h; iy++)
      for (let ix = 0; ix < g.w; ix++)
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const oy = iy * g.sh - g.pt + ky * g.dh, ox = ix * g.sw - g.pl + kx * g.dw;
            if (oy < 0 || oy >= g.oh || ox < 0 || ox >= g.ow) continue;
            for (let o = 0; o < g.oc; o++)
              for (let ci = 0; ci < g.c; ci++) {
                fn(((b * g.h + iy) * g.w + ix) * g.c + ci, ((ky * g.kw + kx) * g.oc + o) * g.c + ci, ((b * g.oh + oy) * g.ow + ox) * g.oc + o);
              }
          }
}

/** y = act(bias + sum of x W): kernel [kh, kw, oc, c] (Keras's layout). */
export function conv2dTransposeRef(x: Float32Array, kernel: Float32Array, bias: Float32Array | null, g: TransposeGeometry, activation: RefActivation): RefResult {
  const pre = emptyResult([g.n, g.oh, g.ow, g.oc]);
  if (bias) for (let i = 0; i < pre.data.length; i++) add(pre, i, bias[i % g.oc]);
  eachTerm(g, (xi, wi, yi) => add(pre, yi, x[xi] * kernel[wi]));
  return activate(pre, activation);
}

/** dx, dW and db of a transposed convolution for g, the gradient at its pre-activation. */
export function conv2dTransposeGradRef(x: Float32Array, kernel: Float32Array, geo: TransposeGeometry, g: ArrayLike<number>): { dx: RefResult; kernel: RefResult; bias: RefResult } {
  const r = { dx: emptyResult([geo.n, geo.h, geo.w, geo.c]), kernel: emptyResult([geo.kh, geo.kw, geo.oc, geo.c]), bias: emptyResult([geo.oc]) };
  for (let i = 0; i < g.length; i++) add(r.bias, i % geo.oc, g[i]);
  eachTerm(geo, (xi, wi, yi) => {
    add(r.dx, xi, g[yi] * kernel[wi]);
    add(r.kernel, wi, g[yi] * x[xi]);
  });
  return r;
}

/** tf.image.resize's bilinear source along one axis (half-pixel centers): cells lo, hi and the weight of hi. */
export function bilinearSource(o: number, inSize: number, out: number): { lo: number; hi: number; f: number } {
  const src = (inSize / out) * (o + 0.5) - 0.5;
  const lo = Math.max(0, Math.floor(src));
  return { lo, hi: Math.min(inSize - 1, Math.max(0, Math.ceil(src))), f: src - lo };
}

/** Each output's terms (input cell, weight) of UpSampling2D. */
function eachUpsampleTerm(shape: number[], size: [number, number], bilinear: boolean, fn: (xi: number, weight: number, yi: number) => void): void {
  const [n, h, w, c] = shape, oh = h * size[0], ow = w * size[1];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const cells: [number, number, number][] = [];
        if (!bilinear) cells.push([Math.floor(oy / size[0]), Math.floor(ox / size[1]), 1]);
        else {
          const ty = bilinearSource(oy, h, oh), tx = bilinearSource(ox, w, ow);
          for (const [iy, wy] of [[ty.lo, 1 - ty.f], [ty.hi, ty.f]])
            for (const [ix, wx] of [[tx.lo, 1 - tx.f], [tx.hi, tx.f]]) cells.push([iy, ix, wy * wx]);
        }
        for (const [iy, ix, weight] of cells)
          for (let ci = 0; ci < c; ci++) fn(((b * h + iy) * w + ix) * c + ci, weight, ((b * oh + oy) * ow + ox) * c + ci);
      }
}

/**
 * UpSampling2D in float64. absSum: for bilinear, 3 times the sum of |corner| (the blend's six
 * roundings, each within u of a value at most twice the corners' largest, and the weight's
 * rounding to float32); nearest copies exactly.
 */
export function upsampleRef(x: Float32Array, shape: number[], size: [number, number], bilinear: boolean): RefResult {
  const [n, h, w, c] = shape;
  const r = emptyResult([n, h * size[0], w * size[1], c]);
  eachUpsampleTerm(shape, size, bilinear, (xi, weight, yi) => {
    r.data[yi] += weight * x[xi];
    r.absSum[yi] += (bilinear ? 3 : 0) * Math.abs(x[xi]);
  });
  return r;
}

/** dx of UpSampling2D for dy. */
export function upsampleGradRef(dy: Float32Array, shape: number[], size: [number, number], bilinear: boolean): RefResult {
  const r = emptyResult(shape);
  eachUpsampleTerm(shape, size, bilinear, (xi, weight, yi) => add(r, xi, weight * dy[yi]));
  return r;
}
