// WASM SIMD micro-kernels: 4 rows x 8 columns (half of a 16-column panel) in 8 f32x4
// accumulators, so that the accumulators, two weight vectors and a broadcast stay in the 16
// registers engines give 128-bit code on x86. Multiply then add: base SIMD has no FMA; the
// relaxed-SIMD build uses f32x4.relaxed_madd, which engines fuse where the CPU has FMA.

/** c + a * b: fused in the relaxed-SIMD build where the engine fuses it, else multiply then add. */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
export function gemm4x8Simd(mr: i32, kc: i32, a: usize, lda: usize, w: usize, c: usize, ldc: usize,
  accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  // Rows past mr alias the last real row: they compute the same values and are never stored.
  const a0 = a, a1 = mr > 1 ? a0 + lda : a0, a2 = mr > 2 ? a1 + lda : a1, a3 = mr > 3 ? a2 + lda : a2;
  let c0l = f32x4.splat(0), c0h = f32x4.splat(0), c1l = f32x4.splat(0), c1h = f32x4.splat(0);
  let c2l = f32x4.splat(0), c2h = f32x4.splat(0), c3l = f32x4.splat(0), c3h = f32x4.splat(0);
  for (let k: usize = 0; k < <usize>kc; k++) {
    const wp = w + (k << 6), ak = k << 2;
    const bl = v128.load(wp), bh = v128.load(wp, 16);
    let x = v128.load32_splat(a0 + ak);
    c0l = madd(x, bl, c0l); c0h = madd(x, bh, c0h);
    x = v128.load32_splat(a1 + ak);
    c1l = madd(x, bl, c1l); c1h = madd(x, bh, c1h);
    x = v128.load32_splat(a2 + ak);
    c2l = madd(x, bl, c2l); c2h = madd(x, bh, c2h);
    x = v128.load32_splat(a3 + ak);
    c3l = madd(x, bl, c3l); c3h = madd(x, bh, c3h);
  }
  storeTile(mr, c, ldc, c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, accumulate, epilogue, bias, minv, maxv);
}

/** A 4x8 tile's mr rows: out of line, once per tile, so that each kernel copy stays small. */
function storeTile(mr: i32, c: usize, ldc: usize, c0l: v128, c0h: v128, c1l: v128, c1h: v128, c2l: v128, c2h: v128,
  c3l: v128, c3h: v128, accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  storeRow(c, c0l, c0h, accumulate, epilogue, bias, minv, maxv);
  if (mr > 1) storeRow(c + ldc, c1l, c1h, accumulate, epilogue, bias, minv, maxv);
  if (mr > 2) storeRow(c + 2 * ldc, c2l, c2h, accumulate, epilogue, bias, minv, maxv);
  if (mr > 3) storeRow(c + 3 * ldc, c3l, c3h, accumulate, epilogue, bias, minv, maxv);
}

/**
 * The indirect form (XNNPACK's igemm) of gemm4x8Simd: each row's K is read through an indirection
 * buffer, one pointer per window tap (a zero vector in the padding), so a convolution needs no
 * im2col copy. K = taps * c in (tap, channel) order, the row order of the packed HWIO kernel; each
 * column sums its steps in that order. ind: taps x 4 row pointers (u32), tap-major; rows past mr
 * repeat the last row, so all four are readable and only mr are stored. w: the half panel's first
 * step, steps 64 bytes apart. Out of line: a call covers taps * c steps of a tile.
 */
export function igemm4x8Simd(mr: i32, taps: i32, c: i32, ind: usize, w: usize, out: usize, ldc: usize,
  accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  let c0l = f32x4.splat(0), c0h = f32x4.splat(0), c1l = f32x4.splat(0), c1h = f32x4.splat(0);
  let c2l = f32x4.splat(0), c2h = f32x4.splat(0), c3l = f32x4.splat(0), c3h = f32x4.splat(0);
  const cBytes = <usize>c << 2;
  for (let t = 0; t < taps; t++, ind += 16) {
    const a0 = <usize>load<u32>(ind), a1 = <usize>load<u32>(ind, 4), a2 = <usize>load<u32>(ind, 8), a3 = <usize>load<u32>(ind, 12);
    for (let k: usize = 0; k < cBytes; k += 4, w += 64) {
      const bl = v128.load(w), bh = v128.load(w, 16);
      let x = v128.load32_splat(a0 + k);
      c0l = madd(x, bl, c0l); c0h = madd(x, bh, c0h);
      x = v128.load32_splat(a1 + k);
      c1l = madd(x, bl, c1l); c1h = madd(x, bh, c1h);
      x = v128.load32_splat(a2 + k);
      c2l = madd(x, bl, c2l); c2h = madd(x, bh, c2h);
      x = v128.load32_splat(a3 + k);
      c3l = madd(x, bl, c3l); c3h = madd(x, bh, c3h);
    }
  }
  storeTile(mr, out, ldc, c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, accumulate, epilogue, bias, minv, maxv);
}

// @ts-ignore: decorator
@inline
function storeRow(c: usize, lo: v128, hi: v128, accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  if (accumulate) {
    lo = f32x4.add(v128.load(c), lo);
    hi = f32x4.add(v128.load(c, 16), hi);
  }
  if (epilogue) {
    lo = f32x4.add(lo, v128.load(bias));
    hi = f32x4.add(hi, v128.load(bias, 16));
    // pmax(v, min) is v < min ? min : v and pmin(v, max) is max < v ? max : v: NaN passes
    // through both, as in native, and linear's [-inf, inf] leaves every value as it is.
    const vmin = f32x4.splat(minv), vmax = f32x4.splat(maxv);
    lo = f32x4.pmin(f32x4.pmax(lo, vmin), vmax);
    hi = f32x4.pmin(f32x4.pmax(hi, vmin), vmax);
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

/** One row by a whole 16-column panel: a GEMV step, bound by reading the weights. */
// @ts-ignore: decorator
@inline
export function gemm1x16Simd(kc: i32, a: usize, w: usize, c: usize, accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let k: usize = 0; k < <usize>kc; k++) {
    const wp = w + (k << 6);
    const x = v128.load32_splat(a + (k << 2));
    c0 = madd(x, v128.load(wp), c0);
    c1 = madd(x, v128.load(wp, 16), c1);
    c2 = madd(x, v128.load(wp, 32), c2);
    c3 = madd(x, v128.load(wp, 48), c3);
  }
  storePanel(c, c0, c1, c2, c3, accumulate, epilogue, bias, minv, maxv);
}

/** A row's 16 columns of one panel: out of line, called once per panel of a 1-row kernel. */
function storePanel(c: usize, c0: v128, c1: v128, c2: v128, c3: v128, accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  storeRow(c, c0, c1, accumulate, epilogue, bias, minv, maxv);
  storeRow(c + 32, c2, c3, accumulate, epilogue, bias + 32, minv, maxv);
}

/**
 * One row by two whole panels at once (w0, w1: each a panel's K rows): two streams of weights in
 * flight instead of one, which a GEMV, bound by reading them, needs to approach the memory's rate
 * (one stream reached about 10 GB/s, native's two 17). Each column sums its steps in the same
 * order as gemm1x16Simd, so the bits are the same.
 */
export function gemm1x32Simd(kc: i32, a: usize, w0: usize, w1: usize, c: usize, accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  for (let k: usize = 0; k < <usize>kc; k++) {
    const p0 = w0 + (k << 6), p1 = w1 + (k << 6);
    const x = v128.load32_splat(a + (k << 2));
    c0 = madd(x, v128.load(p0), c0);
    c1 = madd(x, v128.load(p0, 16), c1);
    c2 = madd(x, v128.load(p0, 32), c2);
    c3 = madd(x, v128.load(p0, 48), c3);
    c4 = madd(x, v128.load(p1), c4);
    c5 = madd(x, v128.load(p1, 16), c5);
    c6 = madd(x, v128.load(p1, 32), c6);
    c7 = madd(x, v128.load(p1, 48), c7);
  }
  storePanel(c, c0, c1, c2, c3, accumulate, epilogue, bias, minv, maxv);
  storePanel(c + 64, c4, c5, c6, c7, accumulate, epilogue, bias + 64, minv, maxv);
}

