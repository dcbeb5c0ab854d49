// Layout transposes between ONNX (NCHW, OIHW) and convkit (NHWC, HWIO), for the ONNX tests and
// the ONNX Runtime benchmark candidates.

export function nchwToNhwc(x: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) y[(b * h * w + i) * c + ci] = x[(b * c + ci) * h * w + i];
  return y;
}

export function nhwcToNchw(x: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) y[(b * c + ci) * h * w + i] = x[(b * h * w + i) * c + ci];
  return y;
}

export function oihwToHwio(wt: Float32Array, [o, i, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(wt.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++)
    out[((y * kw + x) * i + b) * o + a] = wt[((a * i + b) * kh + y) * kw + x];
  return out;
}

export function hwioToOihw(k: Float32Array, [kh, kw, c, o]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) for (let m = 0; m < o; m++)
    out[((m * c + i) * kh + y) * kw + x] = k[((y * kw + x) * c + i) * o + m];
  return out;
}
