// Each elementwise activation and its derivative on one value, in float64, rounded once to float32
// by the caller. Mirrors native/kernels/activation-f64.h, which calls the C library; here exp,
// expm1, log1p, tanh and erfc are series written for the ranges the activations use (each within
// a few double ulps, erfc within 1e-10 relative: far below a float's 6e-8), which keeps each build
// small: the standard library's table-driven functions would add kilobytes to each of the four.
import {
  ACTIVATION_ELU, ACTIVATION_EXPONENTIAL, ACTIVATION_GELU, ACTIVATION_GELU_NEW, ACTIVATION_HARD_SIGMOID, ACTIVATION_HARD_SWISH,
  ACTIVATION_LEAKY_RELU, ACTIVATION_MISH, ACTIVATION_RELU, ACTIVATION_RELU6, ACTIVATION_SELU, ACTIVATION_SIGMOID,
  ACTIVATION_SOFTPLUS, ACTIVATION_SOFTSIGN, ACTIVATION_SWISH, ACTIVATION_TANH,
} from '../generated/kernels';

const LN2_HI = reinterpret<f64>(0x3fe62e42fee00000); // ln 2 to 32 bits: k * LN2_HI is exact
const LN2_LO = reinterpret<f64>(0x3dea39ef35793c76); // ln 2 - LN2_HI
const INV_LN2 = 1.4426950408889634;
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const LEAKY_RELU_SLOPE: f64 = <f32>0.2; // Keras 3's leaky_relu default negative_slope, a float32 as Keras computes it
const GELU_TANH_SCALE = 0.7978845608028654; // sqrt(2 / pi)
const GELU_TANH_CUBIC = 0.044715;
const INV_SQRT_PI = 0.56418958354775628695;
const INV_SQRT_2PI = 0.39894228040143267794;

/**
 * e^x in float64: x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor series to r^13 (the next
 * term is below 2^-57 of the result), times 2^k. Outside [-708.39, 709] (2^-1022 to 2^1023) it
 * gives 0 or infinity, which no caller can tell apart from the true value once rounded to float32.
 */
export function expF64(x: f64): f64 {
  if (x != x) return x;
  if (x > 709.0) return Infinity;
  if (x < -708.3964185322641) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // sum of r^i / i! by Horner on the coefficients (folded at compile time): multiplies only, a
  // division per step would cost some 15 cycles in the dependent chain.
  const p = 1.0 + r * (1.0 + r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 +
    r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (1.0 / 3628800.0 + r * (1.0 / 39916800.0 + r * (1.0 / 479001600.0 + r / 6227020800.0))))))))))));
  return p * reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
}

/** e^x - 1 for x <= 0: its Taylor series above -1/2 (where e^x - 1 would cancel), else e^x - 1. */
export function expm1NegF64(x: f64): f64 {
  if (x < -0.5) return expF64(x) - 1.0;
  let p = 1.0;
  for (let i = 20; i >= 2; i--) p = 1.0 + p * x / <f64>i;
  return x * p;
}

/** log(1 + t) for 0 <= t <= 1: 2 atanh(s), s = t / (2 + t) <= 1/3, by its series to s^61. */
function log1pUnitF64(t: f64): f64 {
  const s = t / (2.0 + t), s2 = s * s;
  let p = 1.0 / 61.0;
  for (let k = 29; k >= 0; k--) p = 1.0 / <f64>(2 * k + 1) + s2 * p;
  return 2.0 * s * p;
}

/** tanh(v): (1 - t) / (1 + t) with t = e^(-2|v|), signed; below 2^-13, v - v^3 / 3. */
export function tanhScalarF64(v: f64): f64 {
  const a = Math.abs(v);
  let t: f64;
  if (a < 0.0001220703125) t = a - a * a * a / 3.0;
  else {
    const e = expF64(-2.0 * a);
    t = (1.0 - e) / (1.0 + e);
  }
  return copysign<f64>(t, v);
}

/**
 * erfc(x) for x >= 0: below 3, 1 - erf(x) with erf's series of positive terms
 * 2/sqrt(pi) e^(-x^2) sum (2x^2)^n x / (1 3 ... (2n+1)); from 3, the continued fraction
 * e^(-x^2)/sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / ...))) to 60 terms.
 */
function erfcPosF64(x: f64): f64 {
  if (x < 3.0) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; term > 1e-17 * sum; n++) {
      term *= 2.0 * x2 / <f64>(2 * n + 1);
      sum += term;
    }
    return 1.0 - 2.0 * INV_SQRT_PI * expF64(-x2) * sum;
  }
  let k = x;
  for (let n = 60; n >= 1; n--) k = x + <f64>n * 0.5 / k;
  return expF64(-x * x) * INV_SQRT_PI / k;
}

function sigmoidScalarF64(z: f64): f64 {
  return 1.0 / (1.0 + expF64(-z));
}

/** log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|). */
function softplusScalarF64(z: f64): f64 {
  return (z > 0 ? z : 0.0) + log1pUnitF64(expF64(-Math.abs(z)));
}

/** Phi(z), the standard normal CDF, through erfc: its left tail keeps its digits. */
function normalCdfF64(z: f64): f64 {
  const t = -z * 0.70710678118654752440;
  return 0.5 * (t >= 0 ? erfcPosF64(t) : 2.0 - erfcPosF64(-t));
}

function geluTanhInnerF64(z: f64): f64 {
  return GELU_TANH_SCALE * (z + GELU_TANH_CUBIC * z * z * z);
}

/** f(z) of an elementwise activation (not linear, relu, relu6 or softmax). */
export function activationF64(act: i32, z: f64): f64 {
  if (act == ACTIVATION_SIGMOID) return sigmoidScalarF64(z);
  if (act == ACTIVATION_TANH) return tanhScalarF64(z);
  if (act == ACTIVATION_ELU) return z > 0 ? z : expm1NegF64(z);
  if (act == ACTIVATION_SELU) return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * expm1NegF64(z));
  if (act == ACTIVATION_SOFTPLUS) return softplusScalarF64(z);
  if (act == ACTIVATION_SOFTSIGN) return z / (1.0 + Math.abs(z));
  if (act == ACTIVATION_HARD_SIGMOID) return min<f64>(1.0, max<f64>(0.0, 0.2 * z + 0.5));
  if (act == ACTIVATION_SWISH) return z * sigmoidScalarF64(z);
  if (act == ACTIVATION_GELU) return z * normalCdfF64(z);
  if (act == ACTIVATION_GELU_NEW) return z * sigmoidScalarF64(2.0 * geluTanhInnerF64(z)); // 1 + tanh(u) = 2 sigmoid(2u)
  if (act == ACTIVATION_MISH) return z * tanhScalarF64(softplusScalarF64(z));
  if (act == ACTIVATION_HARD_SWISH) return z * min<f64>(1.0, max<f64>(0.0, z / 6.0 + 0.5));
  if (act == ACTIVATION_LEAKY_RELU) return z > 0 ? z : LEAKY_RELU_SLOPE * z;
  if (act == ACTIVATION_EXPONENTIAL) return expF64(z);
  return z;
}

/**
 * f'(z) written with v: the output y = f(z), or z itself for the activations kernels.json lists
 * in activationsFromInput. At a kink the derivative is 0 from the side the output is clamped on.
 */
export function derivativeF64(act: i32, v: f64): f64 {
  if (act == ACTIVATION_RELU) return v > 0 ? 1.0 : 0.0;
  if (act == ACTIVATION_RELU6) return v > 0 && v < 6 ? 1.0 : 0.0;
  if (act == ACTIVATION_SIGMOID) return v * (1.0 - v);
  if (act == ACTIVATION_TANH) return 1.0 - v * v;
  if (act == ACTIVATION_ELU) return v > 0 ? 1.0 : v + 1.0;
  if (act == ACTIVATION_SELU) return v > 0 ? SELU_SCALE : v + SELU_SCALE * SELU_ALPHA;
  if (act == ACTIVATION_SOFTPLUS) return -expm1NegF64(-v); // sigmoid(z) = 1 - e^-y
  if (act == ACTIVATION_SOFTSIGN) return (1.0 - Math.abs(v)) * (1.0 - Math.abs(v));
  if (act == ACTIVATION_HARD_SIGMOID) return v > 0 && v < 1 ? 0.2 : 0.0;
  if (act == ACTIVATION_LEAKY_RELU) return v > 0 ? 1.0 : LEAKY_RELU_SLOPE;
  if (act == ACTIVATION_EXPONENTIAL) return v;
  if (act == ACTIVATION_SWISH) {
    const s = sigmoidScalarF64(v);
    return s + v * s * (1.0 - s);
  }
  if (act == ACTIVATION_GELU) return normalCdfF64(v) + v * INV_SQRT_2PI * expF64(-0.5 * v * v);
  if (act == ACTIVATION_GELU_NEW) {
    const s = sigmoidScalarF64(2.0 * geluTanhInnerF64(v)); // (1 + tanh(u)) / 2
    return s + 2.0 * v * s * (1.0 - s) * GELU_TANH_SCALE * (1.0 + 3.0 * GELU_TANH_CUBIC * v * v);
  }
  if (act == ACTIVATION_MISH) {
    const t = tanhScalarF64(softplusScalarF64(v));
    return t + v * (1.0 - t * t) * sigmoidScalarF64(v);
  }
  if (act == ACTIVATION_HARD_SWISH) return v < -3 ? 0.0 : v > 3 ? 1.0 : (2.0 * v + 3.0) / 6.0;
  return 1.0;
}
