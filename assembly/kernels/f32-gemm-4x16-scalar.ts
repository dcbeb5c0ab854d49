// Scalar micro-kernel for engines without WASM SIMD: 4 rows x a whole 16-column panel.

export function gemm4x16Scalar(mr: i32, kc: i32, a: usize, lda: usize, w: usize, c: usize, ldc: usize,
  accumulate: bool, epilogue: bool, bias: usize, minv: f32, maxv: f32): void {
  for (let i = 0; i < mr; i++) {
    const ai = a + <usize>i * lda, ci = c + <usize>i * ldc;
    for (let j: usize = 0; j < 16; j++) {
      let acc: f32 = 0;
      for (let k: usize = 0; k < <usize>kc; k++) acc += load<f32>(ai + (k << 2)) * load<f32>(w + (k << 6) + (j << 2));
      let v = accumulate ? load<f32>(ci + (j << 2)) + acc : acc;
      if (epilogue) {
        v += load<f32>(bias + (j << 2));
        // NaN is neither < min nor > max: it passes through, as in native.
        if (v < minv) v = minv;
        if (v > maxv) v = maxv;
      }
      store<f32>(ci + (j << 2), v);
    }
  }
}
