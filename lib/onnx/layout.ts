// ONNX weight layouts to convkit's, converted once at load.

/** [O, I, kh, kw] (a Conv's W; a ConvTranspose's [C, M, kh, kw]) -> [kh, kw, I, O] (HWIO; Keras's transposed kernel). */
export function oihwToHwio(w: Float32Array, [o, i, kh, kw]: readonly number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = w[((a * i + b) * kh + y) * kw + x];
    }
  }
  return out;
}

/** A [rows, cols] matrix transposed. */
export function transpose2d(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

/**
 * Rows of a [c*h*w, units] matrix reordered for an input flattened NHWC: row (y*w + x)*c + ch of
 * the result is row ch*h*w + y*w + x (ONNX's flatten of NCHW) of the given one.
 */
export function nhwcRows(m: Float32Array, c: number, h: number, w: number, units: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < h * w; p++) out.set(m.subarray((ch * h * w + p) * units, (ch * h * w + p + 1) * units), (p * c + ch) * units);
  }
  return out;
}
