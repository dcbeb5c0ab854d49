// Max over the taps of one pooling window, channel groups of 4 in v128 registers where the
// build has SIMD. Mirrors native/kernels/f32-maxpool-nhwc-scalar.cc.

/**
 * y[0..c) = max over the taps listed at taps[0..count) (pointers), c channels. Each group of 4
 * channels stays in a register across all taps: one store per group, not one per tap. pmax is
 * one instruction where IEEE max is several, so NaN is tracked on the side: any NaN tap gives NaN.
 */
export function maxpoolNhwc(y: usize, taps: usize, count: i32, c: i32): void {
  const last = taps + (<usize>count << 2);
  let o: usize = 0;
  const bytes = <usize>c << 2;
  if (ASC_FEATURE_SIMD) {
    for (; o + 16 <= bytes; o += 16) {
      let m = v128.load(load<u32>(taps) + o);
      let nan = f32x4.ne(m, m);
      for (let t = taps + 4; t < last; t += 4) {
        const v = v128.load(load<u32>(t) + o);
        nan = v128.or(nan, f32x4.ne(v, v));
        m = f32x4.pmax(m, v);
      }
      v128.store(y + o, v128.bitselect(f32x4.splat(NaN), m, nan));
    }
  }
  for (; o < bytes; o += 4) {
    let m = load<f32>(load<u32>(taps) + o);
    for (let t = taps + 4; t < last; t += 4) m = Mathf.max(m, load<f32>(load<u32>(t) + o));
    store<f32>(y + o, m);
  }
}
