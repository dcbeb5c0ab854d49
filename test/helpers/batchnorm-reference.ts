// Batch normalization in float64 over rows of c channels (the last axis): the oracles of the
// batch-normalization specs, written from the definition, plus the rounding bound of convkit's
// inference form (x * s + t, s and t rounded once each).

export const U = 2 ** -24;

export interface BnWeights {
  gamma: Float32Array | null;
  beta: Float32Array | null;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/** (x - mean) / sqrt(variance + epsilon) * gamma + beta, and its rounding bound per element. */
export function inference64(x: Float32Array, c: number, w: BnWeights, epsilon: number): { y: Float64Array; tol: Float64Array } {
  const y = new Float64Array(x.length), tol = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % c, s = (w.gamma ? w.gamma[j] : 1) / Math.sqrt(w.movingVariance[j] + epsilon);
    const t = (w.beta ? w.beta[j] : 0) - w.movingMean[j] * s;
    y[i] = (x[i] - w.movingMean[j]) * s + (w.beta ? w.beta[j] : 0);
    // s, t rounded once; x * s and + t rounded once each: |err| <= u (2|x s| + |t| + |y|), to first order.
    tol[i] = 1.01 * U * (2 * Math.abs(x[i] * s) + Math.abs(t) + Math.abs(y[i])) + 1e-30;
  }
  return { y, tol };
}

/** The batch's mean and biased variance per channel over m = x.length / c rows. */
export function moments64(x: Float32Array, c: number): { mean: Float64Array; variance: Float64Array } {
  const m = x.length / c, mean = new Float64Array(c), variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c] += x[i] / m;
  for (let i = 0; i < x.length; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / m;
  return { mean, variance };
}

/**
 * Training's forward in float64, and a bound on convkit's float32 result: its mean and variance
 * are sums of m float32 terms (error <= (m + 2) u times the sum of magnitudes), which move y by
 * s * dmean + |x - mean| * s * dvar / (2 var); then the rounding of x * s + t.
 */
export function training64(x: Float32Array, c: number, gamma: Float32Array | null, beta: Float32Array | null, epsilon: number) {
  const m = x.length / c, { mean, variance } = moments64(x, c);
  const absMean = new Float64Array(c);
  for (let i = 0; i < x.length; i++) absMean[i % c] += Math.abs(x[i]) / m;
  const y = new Float64Array(x.length), tol = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % c, v = variance[j] + epsilon, s = (gamma ? gamma[j] : 1) / Math.sqrt(v), t = (beta ? beta[j] : 0) - mean[j] * s;
    y[i] = (x[i] - mean[j]) * s + (beta ? beta[j] : 0);
    const dMean = (m + 2) * U * absMean[j];
    const dVar = (m + 4) * U * variance[j] + 2 * dMean * (absMean[j] + Math.abs(mean[j])) + U * v;
    tol[i] = 2 * (Math.abs(s) * dMean + Math.abs((x[i] - mean[j]) * s) * dVar / (2 * v) + U * (2 * Math.abs(x[i] * s) + Math.abs(t) + Math.abs(y[i]))) + 1e-30;
  }
  return { y, mean, variance, tol };
}
