// Max (or average: avgpoolNhwc) over the taps of one pooling window, channel groups in v128 registers where the build has
// SIMD. Mirrors native/kernels/f32-maxpool-nhwc-scalar.cc, except that a tap is a byte offset
// from `base` (one list of offsets serves every window inside the image, see ops/maxpool2d.ts).
//
// NaN: pmax is one instruction where IEEE max is several, but it drops a NaN in its second
// operand. The fast loops add every tap into a check register (one add per vector, where exact
// tracking costs a compare and an or): the check is NaN only if some tap is NaN or the sum met
// +inf and -inf. Then, and only then, the block is recomputed with exact tracking, so any NaN tap
// gives NaN, as the scalar kernel's Mathf.max does.

/** Whether any lane of x is NaN. */
// @ts-ignore: decorator
@inline
function anyNaN(x: v128): bool {
  return v128.any_true(f32x4.ne(x, x));
}

/** Four channels at byte o, NaN tracked lane by lane. */
function maxGroupExact(y: usize, base: usize, offsets: usize, last: usize, o: usize): void {
  let m = v128.load(base + load<u32>(offsets) + o);
  let nan = f32x4.ne(m, m);
  for (let t = offsets + 4; t < last; t += 4) {
    const v = v128.load(base + load<u32>(t) + o);
    nan = v128.or(nan, f32x4.ne(v, v));
    m = f32x4.pmax(m, v);
  }
  v128.store(y + o, v128.bitselect(f32x4.splat(NaN), m, nan));
}

/**
 * y[0..c) = max over the taps at base + offsets[0..count) (u32 byte offsets), c channels; then
 * the same for `pixels` - 1 more windows, each `step` bytes further in x and c floats further in
 * y (a run of windows along a row shares the offsets: one call for the run).
 * Sixteen channels (four registers) stay in registers across all taps, so each tap costs one
 * offset load for four vectors; then groups of 4, then single channels.
 */
export function maxpoolNhwc(y: usize, base: usize, offsets: usize, count: i32, c: i32, pixels: i32 = 1, step: usize = 0): void {
  const last = offsets + (<usize>count << 2);
  const bytes = <usize>c << 2;
  for (let px = 0; px < pixels; px++, y += bytes, base += step) maxpoolPixel(y, base, offsets, last, bytes);
}

// @ts-ignore: decorator
@inline
function maxpoolPixel(y: usize, base: usize, offsets: usize, last: usize, bytes: usize): void {
  const first = base + load<u32>(offsets);
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 64 <= bytes; o += 64) {
      let p = first + o;
      let m0 = v128.load(p), m1 = v128.load(p, 16), m2 = v128.load(p, 32), m3 = v128.load(p, 48);
      let s0 = m0, s1 = m1;
      for (let t = offsets + 4; t < last; t += 4) {
        p = base + load<u32>(t) + o;
        const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
        s0 = f32x4.add(s0, v0);
        s1 = f32x4.add(s1, v1);
        s0 = f32x4.add(s0, v2);
        s1 = f32x4.add(s1, v3);
        m0 = f32x4.pmax(m0, v0);
        m1 = f32x4.pmax(m1, v1);
        m2 = f32x4.pmax(m2, v2);
        m3 = f32x4.pmax(m3, v3);
      }
      // The first tap's m2, m3 are in neither sum: pmax keeps a NaN it starts with.
      if (anyNaN(f32x4.add(s0, s1))) {
        for (let g: usize = 0; g < 64; g += 16) maxGroupExact(y, base, offsets, last, o + g);
      } else {
        v128.store(y + o, m0);
        v128.store(y + o, m1, 16);
        v128.store(y + o, m2, 32);
        v128.store(y + o, m3, 48);
      }
    }
    for (; o + 16 <= bytes; o += 16) maxGroupExact(y, base, offsets, last, o);
  }
  for (; o < bytes; o += 4) {
    let m = load<f32>(first + o);
    for (let t = offsets + 4; t < last; t += 4) m = Mathf.max(m, load<f32>(base + load<u32>(t) + o));
    store<f32>(y + o, m);
  }
}

/**
 * y[0..c) = (the sum of the taps at base + offsets[0..count), added in tap order) / divisor,
 * then the same for `pixels` - 1 more windows as maxpoolNhwc. Mirrors the native kernels'
 * average (kernels/maxpool.h): every width adds in the same order, so the bits are theirs.
 */
export function avgpoolNhwc(y: usize, base: usize, offsets: usize, count: i32, c: i32, divisor: f32, pixels: i32 = 1, step: usize = 0): void {
  const last = offsets + (<usize>count << 2);
  const bytes = <usize>c << 2;
  for (let px = 0; px < pixels; px++, y += bytes, base += step) avgpoolPixel(y, base, offsets, last, bytes, divisor);
}

// @ts-ignore: decorator
@inline
function avgpoolPixel(y: usize, base: usize, offsets: usize, last: usize, bytes: usize, divisor: f32): void {
  const first = base + load<u32>(offsets);
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vd = f32x4.splat(divisor);
    for (; o + 64 <= bytes; o += 64) {
      let p = first + o;
      let s0 = v128.load(p), s1 = v128.load(p, 16), s2 = v128.load(p, 32), s3 = v128.load(p, 48);
      for (let t = offsets + 4; t < last; t += 4) {
        p = base + load<u32>(t) + o;
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
      }
      v128.store(y + o, f32x4.div(s0, vd));
      v128.store(y + o, f32x4.div(s1, vd), 16);
      v128.store(y + o, f32x4.div(s2, vd), 32);
      v128.store(y + o, f32x4.div(s3, vd), 48);
    }
    for (; o + 16 <= bytes; o += 16) {
      let s = v128.load(first + o);
      for (let t = offsets + 4; t < last; t += 4) s = f32x4.add(s, v128.load(base + load<u32>(t) + o));
      v128.store(y + o, f32x4.div(s, vd));
    }
  }
  for (; o < bytes; o += 4) {
    let s = load<f32>(first + o);
    for (let t = offsets + 4; t < last; t += 4) s += load<f32>(base + load<u32>(t) + o);
    store<f32>(y + o, s / divisor);
  }
}
