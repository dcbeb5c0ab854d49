// Sigmoid, tanh and softmax on float32 rows, each value computed in float64 and rounded once to
// float32. Mirrors native/kernels/f32-activations-f64.cc, which calls the C library's exp and
// tanh; here expF64 below (a few double ulps, far below a float's) keeps each build small: the
// standard library's table-driven exp would add 3 KB to each of the four builds.

const LN2_HI = reinterpret<f64>(0x3fe62e42fee00000); // ln 2 to 32 bits: k * LN2_HI is exact
const LN2_LO = reinterpret<f64>(0x3dea39ef35793c76); // ln 2 - LN2_HI
const INV_LN2 = 1.4426950408889634;

/**
 * e^x in float64: x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor series to r^13 (the next
 * term is below 2^-57 of the result), times 2^k. Outside [-708.39, 709] (2^-1022 to 2^1023) it
 * gives 0 or infinity, which no caller can tell apart from the true value once rounded to float32:
 * softmax and tanh divide e^x <= 1 by 1 or more, sigmoid takes 1 / (1 + e^x).
 */
function expF64(x: f64): f64 {
  if (x != x) return x;
  if (x > 709.0) return Infinity;
  if (x < -708.3964185322641) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = 1.0;
  for (let i = 13; i >= 1; i--) p = 1.0 + p * r / <f64>i;
  return p * reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
}

/** y[i] = 1 / (1 + exp(-y[i])) for i < n, in place. */
export function sigmoidF64(n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, <f32>(1.0 / (1.0 + expF64(-<f64>load<f32>(p)))));
  }
}

/**
 * y[i] = tanh(y[i]) for i < n, in place: (1 - t) / (1 + t) with t = e^(-2|y|), signed; below
 * 2^-13, y - y^3 / 3 (where 1 - t would lose digits; the next term is below 2^-55 of it).
 */
export function tanhF64(n: i32, y: usize): void {
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    const v = <f64>load<f32>(p), a = Math.abs(v);
    let t: f64;
    if (a < 0.0001220703125) t = a - a * a * a / 3.0;
    else {
      const e = expF64(-2.0 * a);
      t = (1.0 - e) / (1.0 + e);
    }
    store<f32>(p, <f32>copysign<f64>(t, v));
  }
}

/**
 * One row of n floats, in place: exp(y[i] - max) over the sum of them, taken in order in
 * float64. A row holding NaN or +infinity, or only -infinity, gives NaN.
 */
export function softmaxF64(n: i32, y: usize): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(y + (<usize>i << 2));
    max = v > max ? v : max;
  }
  let sum = 0.0;
  for (let i = 0; i < n; i++) sum += expF64(<f64>load<f32>(y + (<usize>i << 2)) - max);
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, <f32>(expF64(<f64>load<f32>(p) - max) / sum));
  }
}
