// Element-wise kernels over a run of channels, 4 floats per SIMD step with a scalar tail: the
// transposed convolution's scatter-add, UpSampling2D's bilinear blend and its backward's
// weighted add. Mirrors native/kernels/f32-rows.h (products rounded before they are added).

// @ts-ignore: decorator
@inline
export function addFloats(dst: usize, src: usize, n: i32): void {
  const bytes = <usize>n << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) for (; o + 16 <= bytes; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
}

// @ts-ignore: decorator
@inline
export function addScaledFloats(dst: usize, src: usize, a: f32, n: i32): void {
  const bytes = <usize>n << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (; o + 16 <= bytes; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(va, v128.load(src + o))));
  }
  for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(dst + o) + a * load<f32>(src + o));
}

/** out = top + (bottom - top) * fy, top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx. */
// @ts-ignore: decorator
@inline
export function blendFloats(tl: usize, tr: usize, bl: usize, br: usize, fx: f32, fy: f32, out: usize, n: i32): void {
  const bytes = <usize>n << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vx = f32x4.splat(fx), vy = f32x4.splat(fy);
    for (; o + 16 <= bytes; o += 16) {
      const vtl = v128.load(tl + o), vbl = v128.load(bl + o);
      const vtop = f32x4.add(vtl, f32x4.mul(f32x4.sub(v128.load(tr + o), vtl), vx));
      const vbottom = f32x4.add(vbl, f32x4.mul(f32x4.sub(v128.load(br + o), vbl), vx));
      v128.store(out + o, f32x4.add(vtop, f32x4.mul(f32x4.sub(vbottom, vtop), vy)));
    }
  }
  for (; o < bytes; o += 4) {
    const a = load<f32>(tl + o), b = load<f32>(bl + o);
    const top = a + (load<f32>(tr + o) - a) * fx, bottom = b + (load<f32>(br + o) - b) * fx;
    store<f32>(out + o, top + (bottom - top) * fy);
  }
}
