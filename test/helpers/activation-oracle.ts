// Each activation and its derivative in float64, written from its definition (Keras's constants;
// hard_sigmoid as tfjs-layers computes it). The normal CDF comes from its own series and the
// Mills-ratio continued fraction (not erfc's), so that native's C-library erfc and wasm's checks it.

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const GELU_C = Math.sqrt(2 / Math.PI);

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function density(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Phi(z): 1/2 + phi(z) sum z^(2n+1) / (1 3 5 ... (2n+1)) for |z| <= 3; below, phi(z) over the
 * Mills ratio's continued fraction |z| + 1 / (|z| + 2 / (|z| + 3 / ...)); above, 1 - Phi(-z).
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return z;
  if (z > 3) return 1 - normalCdf(-z);
  if (z >= -3) {
    let term = z, sum = z;
    for (let n = 1; Math.abs(term) > 1e-18 * Math.abs(sum); n++) sum += (term *= (z * z) / (2 * n + 1));
    return 0.5 + density(z) * sum;
  }
  const a = -z;
  let k = a;
  for (let n = 200; n >= 1; n--) k = a + n / k;
  return density(z) / k;
}

const geluTanhInner = (z: number) => GELU_C * (z + 0.044715 * z ** 3);
const hardSigmoid = (z: number) => Math.min(1, Math.max(0, 0.2 * z + 0.5));

/** f(z) for each activation convkit names (softmax aside: it reads a row). */
export const forwardOracle: Record<string, (z: number) => number> = {
  linear: (z) => z,
  relu: (z) => (z > 0 ? z : Number.isNaN(z) ? z : 0),
  relu6: (z) => (Number.isNaN(z) ? z : Math.min(6, Math.max(0, z))),
  sigmoid,
  tanh: Math.tanh,
  elu: (z) => (z > 0 ? z : Math.expm1(z)),
  selu: (z) => SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z)),
  softplus,
  softsign: (z) => z / (1 + Math.abs(z)),
  hard_sigmoid: hardSigmoid,
  swish: (z) => z * sigmoid(z),
  gelu: (z) => z * normalCdf(z),
  // 0.5 z (1 + tanh(u)), written as z sigmoid(2u) only where 1 + tanh(u) keeps its digits.
  gelu_new: (z) => (geluTanhInner(z) > -1 ? 0.5 * z * (1 + Math.tanh(geluTanhInner(z))) : z * sigmoid(2 * geluTanhInner(z))),
  mish: (z) => z * Math.tanh(softplus(z)),
  hard_swish: (z) => z * Math.min(1, Math.max(0, z / 6 + 0.5)),
  leaky_relu: (z) => (z > 0 ? z : Math.fround(0.2) * z), // the slope a float32, as Keras computes it
  exponential: Math.exp,
};

/** f'(z), from z. */
export const derivativeOracle: Record<string, (z: number) => number> = {
  linear: () => 1,
  relu: (z) => (z > 0 ? 1 : 0),
  relu6: (z) => (z > 0 && z < 6 ? 1 : 0),
  // e^-|z| / (1 + e^-|z|)^2 and 1 / cosh^2: 1 - sigmoid and 1 - tanh^2 would cancel in the tails.
  sigmoid: (z) => Math.exp(-Math.abs(z)) / (1 + Math.exp(-Math.abs(z))) ** 2,
  tanh: (z) => 1 / Math.cosh(z) ** 2,
  elu: (z) => (z > 0 ? 1 : Math.exp(z)),
  selu: (z) => SELU_SCALE * (z > 0 ? 1 : SELU_ALPHA * Math.exp(z)),
  softplus: sigmoid,
  softsign: (z) => 1 / (1 + Math.abs(z)) ** 2,
  hard_sigmoid: (z) => (z > -2.5 && z < 2.5 ? 0.2 : 0),
  swish: (z) => sigmoid(z) * (1 + z * (1 - sigmoid(z))),
  gelu: (z) => normalCdf(z) + z * density(z),
  gelu_new: (z) => {
    // (1 + t) / 2 and 1 - t^2 of t = tanh(u), as sigmoid(2u) where 1 + t would cancel.
    const u = geluTanhInner(z), t = Math.tanh(u), s = sigmoid(2 * u);
    const half = u > -1 ? 0.5 * (1 + t) : s, oneMinusT2 = u > -1 ? 1 - t * t : 4 * s * (1 - s);
    return half + 0.5 * z * oneMinusT2 * GELU_C * (1 + 3 * 0.044715 * z * z);
  },
  mish: (z) => {
    const t = Math.tanh(softplus(z));
    return t + z * (1 - t * t) * sigmoid(z);
  },
  hard_swish: (z) => (z < -3 ? 0 : z > 3 ? 1 : (2 * z + 3) / 6),
  leaky_relu: (z) => (z > 0 ? 1 : Math.fround(0.2)),
  exponential: Math.exp,
};
