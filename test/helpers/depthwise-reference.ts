// The naive float64 DepthwiseConv2D the depthwise specs check both backends against.
import type { Window } from '../../lib/shape';
import type { RefResult } from '../../suite/reference';

/** The naive float64 depthwise convolution: output channel c * m + j reads input channel c. */
export function depthwiseRef(x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, bias: Float32Array | null, m: number,
  win: Window, relu: boolean): RefResult {
  const oh = Math.floor((h + win.pt + win.pb - (win.kh - 1) * win.dh - 1) / win.sh) + 1;
  const ow = Math.floor((w + win.pl + win.pr - (win.kw - 1) * win.dw - 1) / win.sw) + 1;
  const oc = c * m, data = new Float64Array(n * oh * ow * oc), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          let s = bias ? bias[o] : 0, a = Math.abs(s);
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const t = x[((b * h + iy) * w + ix) * c + Math.floor(o / m)] * kernel[(ky * win.kw + kx) * oc + o];
              s += t;
              a += Math.abs(t);
            }
          const i = ((b * oh + oy) * ow + ox) * oc + o;
          data[i] = relu ? Math.max(0, s) : s;
          absSum[i] = a;
        }
  return { shape: [n, oh, ow, oc], data, absSum };
}
