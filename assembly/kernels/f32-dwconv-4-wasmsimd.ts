// Depthwise convolution over one pixel's taps: 16 channels (one weight panel, four f32x4
// accumulators) per tile across all taps, then 4, then single channels (the scalar build: all of
// them). Multiply then add, or f32x4.relaxed_madd in the relaxed-SIMD build (fused where the
// engine fuses it). Mirrors native/kernels/f32-dwconv-4-scalar.cc, except that a tap is a byte
// offset from `base` (one list of offsets serves a run of windows inside the image) and the
// depth multiplier m > 1 takes the channel-by-channel loop.
import { NR } from '../generated/kernels';

/** c + a * b: fused in the relaxed-SIMD build where the engine fuses it, else multiply then add. */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}


/**
 * For `pixels` pixels, each `step` bytes further in x and oc floats further in y:
 * y[o] = clamp(bias[o] + sum over the taps of x(base + offsets[t])[o / m] * w(t, o)), o < oc.
 * w: the taps x oc kernel in 16-channel panels; bias oc floats (zeros for none). The clamp is
 * pmax with low (0 for relu and relu6, else -infinity), then pmin with high (6 for relu6, else
 * infinity), which keeps NaN: pmax and pmin return their first operand unless
 * the second is greater.
 */
export function dwconvPixels(y: usize, base: usize, offsets: usize, taps: i32, oc: i32, m: i32, w: usize, bias: usize,
  low: f32, high: f32, pixels: i32, step: usize): void {
  const last = offsets + (<usize>taps << 2), bytes = <usize>oc << 2, panel = <usize>taps * NR << 2;
  for (let px = 0; px < pixels; px++, y += bytes, base += step) {
    let o: usize = 0, wp = w;
    if (ASC_FEATURE_SIMD && m == 1) {
      const vlow = f32x4.splat(low), vhigh = f32x4.splat(high);
      for (; o + 64 <= bytes; o += 64, wp += panel) {
        let vacc0123 = v128.load(bias + o), vacc4567 = v128.load(bias + o, 16);
        let vacc89AB = v128.load(bias + o, 32), vaccCDEF = v128.load(bias + o, 48);
        let wk = wp;
        for (let t = offsets; t < last; t += 4, wk += NR << 2) {
          const p = base + load<u32>(t) + o;
          vacc0123 = madd(v128.load(p), v128.load(wk), vacc0123);
          vacc4567 = madd(v128.load(p, 16), v128.load(wk, 16), vacc4567);
          vacc89AB = madd(v128.load(p, 32), v128.load(wk, 32), vacc89AB);
          vaccCDEF = madd(v128.load(p, 48), v128.load(wk, 48), vaccCDEF);
        }
        v128.store(y + o, f32x4.pmin(f32x4.pmax(vacc0123, vlow), vhigh));
        v128.store(y + o, f32x4.pmin(f32x4.pmax(vacc4567, vlow), vhigh), 16);
        v128.store(y + o, f32x4.pmin(f32x4.pmax(vacc89AB, vlow), vhigh), 32);
        v128.store(y + o, f32x4.pmin(f32x4.pmax(vaccCDEF, vlow), vhigh), 48);
      }
      for (let q: usize = 0; o + 16 <= bytes; o += 16, q += 16) {
        let vacc0123 = v128.load(bias + o);
        let wk = wp + q;
        for (let t = offsets; t < last; t += 4, wk += NR << 2) vacc0123 = madd(v128.load(base + load<u32>(t) + o), v128.load(wk), vacc0123);
        v128.store(y + o, f32x4.pmin(f32x4.pmax(vacc0123, vlow), vhigh));
      }
    }
    for (; o < bytes; o += 4) {
      const ch = <i32>(o >> 2);
      const wo = w + ((<usize>(ch / NR) * taps * NR + <usize>(ch % NR)) << 2);
      const io = <usize>(ch / m) << 2;
      let acc = load<f32>(bias + o);
      let wk = wo;
      for (let t = offsets; t < last; t += 4, wk += NR << 2) acc += load<f32>(base + load<u32>(t) + io) * load<f32>(wk);
      acc = acc < low ? low : acc;
      store<f32>(y + o, acc > high ? high : acc);
    }
  }
}
