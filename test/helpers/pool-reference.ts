// Average pooling in float64, straight from the definition: each window's cells inside the
// image summed and divided by their count (Keras) or by the whole window (countPad, ONNX's
// count_include_pad); and its gradient, each window's dy / divisor added to each of its cells.
import { outputExtent, type Window } from '../../lib/shape';
import type { RefResult } from '../../suite/reference';

/** The window's cells inside the image, as NHWC offsets of channel 0. */
function cells(b: number, oy: number, ox: number, [h, w, c]: number[], win: Window): number[] {
  const out: number[] = [];
  for (let ky = 0; ky < win.kh; ky++)
    for (let kx = 0; kx < win.kw; kx++) {
      const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) out.push(((b * h + iy) * w + ix) * c);
    }
  return out;
}

function outputOf(h: number, w: number, win: Window): [number, number] {
  return [outputExtent(h, win.kh, win.sh, win.dh, win.pt, win.pb), outputExtent(w, win.kw, win.sw, win.dw, win.pl, win.pr)];
}

export function avgpool2dRef(x: Float32Array, [n, h, w, c]: number[], win: Window, countPad: boolean): RefResult {
  const [oh, ow] = outputOf(h, w, win);
  const data = new Float64Array(n * oh * ow * c), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const at = cells(b, oy, ox, [h, w, c], win), divisor = countPad ? win.kh * win.kw : at.length;
        for (let ci = 0; ci < c; ci++) {
          let s = 0, a = 0;
          for (const i of at) (s += x[i + ci]), (a += Math.abs(x[i + ci]));
          const o = ((b * oh + oy) * ow + ox) * c + ci;
          data[o] = s / divisor;
          absSum[o] = a / divisor;
        }
      }
  return { shape: [n, oh, ow, c], data, absSum };
}

export function avgpool2dGradRef(dy: Float32Array, [n, h, w, c]: number[], win: Window, countPad: boolean): RefResult {
  const [oh, ow] = outputOf(h, w, win);
  const data = new Float64Array(n * h * w * c), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const at = cells(b, oy, ox, [h, w, c], win), divisor = countPad ? win.kh * win.kw : at.length;
        for (const i of at)
          for (let ci = 0; ci < c; ci++) {
            const g = dy[((b * oh + oy) * ow + ox) * c + ci] / divisor;
            data[i + ci] += g;
            absSum[i + ci] += Math.abs(g);
          }
      }
  return { shape: [n, h, w, c], data, absSum };
}
