// Batch normalization's two per-channel kernels over rows of c floats, four channels per v128
// where the build has SIMD, then one at a time. Mirrors native/kernels/batchnorm-kernels.h: each
// element is rounded as written (a product, then a sum; no fused multiply-add), so the vector and
// scalar channels, and the SIMD and scalar builds, give the same bits.

/**
 * y[r][j] = x[r][j] * s[j] + t[j], then + (x2[r][j] - u[j]) * s2[j] when x2 is not 0; then clamped
 * to [low, high] (relu's, relu6's or none; a NaN stays NaN); rows of c floats, byte addresses.
 */
export function channelAffine(rows: i32, c: i32, x: usize, s: usize, t: usize, x2: usize, u: usize, s2: usize, low: f32, high: f32, y: usize): void {
  const bytes = <usize>c << 2;
  for (let r = 0; r < rows; r++, x += bytes, y += bytes, x2 += x2 ? bytes : 0) {
    let o: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 16 <= bytes; o += 16) {
        let v = f32x4.add(f32x4.mul(v128.load(x + o), v128.load(s + o)), v128.load(t + o));
        if (x2) v = f32x4.add(v, f32x4.mul(f32x4.sub(v128.load(x2 + o), v128.load(u + o)), v128.load(s2 + o)));
        v = f32x4.pmin(f32x4.pmax(v, f32x4.splat(low)), f32x4.splat(high));
        v128.store(y + o, v);
      }
    }
    for (; o < bytes; o += 4) {
      let v = load<f32>(x + o) * load<f32>(s + o) + load<f32>(t + o);
      if (x2) v += (load<f32>(x2 + o) - load<f32>(u + o)) * load<f32>(s2 + o);
      if (v < low) v = low;
      if (v > high) v = high;
      store<f32>(y + o, v);
    }
  }
}

/**
 * s1[j] = sum of y[r][j], s2[j] = sum of (x[r][j] - u[j]) * (y[r][j] - v[j]), r in order: four
 * channels down every row with both sums in registers, then one channel at a time.
 */
export function channelSums(rows: i32, c: i32, x: usize, y: usize, u: usize, v: usize, s1: usize, s2: usize): void {
  const bytes = <usize>c << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 16 <= bytes; o += 16) {
      const vu = v128.load(u + o), vv = v128.load(v + o);
      let acc1 = f32x4.splat(0), acc2 = f32x4.splat(0);
      let px = x + o, py = y + o;
      for (let r = 0; r < rows; r++, px += bytes, py += bytes) {
        const vy = v128.load(py);
        acc1 = f32x4.add(acc1, vy);
        acc2 = f32x4.add(acc2, f32x4.mul(f32x4.sub(v128.load(px), vu), f32x4.sub(vy, vv)));
      }
      v128.store(s1 + o, acc1);
      v128.store(s2 + o, acc2);
    }
  }
  for (; o < bytes; o += 4) {
    const uj = load<f32>(u + o), vj = load<f32>(v + o);
    let acc1: f32 = 0, acc2: f32 = 0;
    let px = x + o, py = y + o;
    for (let r = 0; r < rows; r++, px += bytes, py += bytes) {
      const vy = load<f32>(py);
      acc1 += vy;
      acc2 += (load<f32>(px) - uj) * (vy - vj);
    }
    store<f32>(s1 + o, acc1);
    store<f32>(s2 + o, acc2);
  }
}
