// PReLU's two kernels over rows of c floats sharing one row of c alphas, four channels per v128
// where the build has SIMD, then one at a time. Mirrors native/kernels/prelu-kernels.h: one
// product per output and exact float64 products in the sums, so every build gives the same bits.

/** y[r][j] = x[r][j] above 0, else x[r][j] * alpha[j] (a NaN stays NaN); byte addresses. */
export function prelu(rows: i32, c: i32, x: usize, alpha: usize, y: usize): void {
  const bytes = <usize>c << 2;
  for (let r = 0; r < rows; r++, x += bytes, y += bytes) {
    let o: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 16 <= bytes; o += 16) {
        const v = v128.load(x + o);
        v128.store(y + o, v128.bitselect(v, f32x4.mul(v, v128.load(alpha + o)), f32x4.gt(v, f32x4.splat(0))));
      }
    }
    for (; o < bytes; o += 4) {
      const v = load<f32>(x + o);
      store<f32>(y + o, v > 0 ? v : v * load<f32>(alpha + o));
    }
  }
}

/** Two lanes of dy * x where x is not above 0, as float64 (lanes 0, 1 of the vectors given). */
// @ts-ignore: decorator
@inline function lowProducts(dy: v128, x: v128): v128 {
  const xl = f64x2.promote_low_f32x4(x);
  return f64x2.mul(f64x2.promote_low_f32x4(dy), v128.andnot(xl, f64x2.gt(xl, f64x2.splat(0))));
}

/**
 * dx[r][j] = dy[r][j] above 0, else dy[r][j] * alpha[j]; dalpha[j] (float64) = the sum over r in
 * order of dy[r][j] * x[r][j] where x[r][j] is not above 0: four channels down every row with the
 * sums in two f64x2 registers, then one channel at a time.
 */
export function preluGrad(rows: i32, c: i32, x: usize, dy: usize, alpha: usize, dx: usize, dalpha: usize): void {
  const bytes = <usize>c << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 16 <= bytes; o += 16) {
      const va = v128.load(alpha + o);
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      for (let r = 0, at = o; r < rows; r++, at += bytes) {
        const vx = v128.load(x + at), vdy = v128.load(dy + at);
        v128.store(dx + at, v128.bitselect(vdy, f32x4.mul(vdy, va), f32x4.gt(vx, f32x4.splat(0))));
        acc0 = f64x2.add(acc0, lowProducts(vdy, vx));
        acc1 = f64x2.add(acc1, lowProducts(v128.shuffle<f32>(vdy, vdy, 2, 3, 0, 1), v128.shuffle<f32>(vx, vx, 2, 3, 0, 1)));
      }
      v128.store(dalpha + (o << 1), acc0);
      v128.store(dalpha + (o << 1) + 16, acc1);
    }
  }
  for (; o < bytes; o += 4) {
    const a = load<f32>(alpha + o);
    let acc: f64 = 0;
    for (let r = 0, at = o; r < rows; r++, at += bytes) {
      const v = load<f32>(x + at), g = load<f32>(dy + at);
      store<f32>(dx + at, v > 0 ? g : g * a);
      acc += <f64>g * (v > 0 ? 0.0 : <f64>v);
    }
    store<f64>(dalpha + (o << 1), acc);
  }
}
