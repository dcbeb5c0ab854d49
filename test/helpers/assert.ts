import { expect } from 'chai';
import type { RefResult } from '../../suite/reference';

const U = 2 ** -24; // unit roundoff of float32

/**
 * Tolerance for a float32 result with reduction length K: the classic bound for a sum of K
 * products, |computed - exact| <= gamma_K * sum|terms|, with gamma_K = 2*(K + 2)*u to allow for
 * the input rounding, the bias add and the activation; plus 1e-30 so that exact zeros compare,
 * plus the error carried in from float32 inputs where the oracle gives one (expected.err).
 */
export function expectClose(actual: Float32Array, expected: RefResult, k: number, label = ''): void {
  expect(actual.length, `${label} length`).to.equal(expected.data.length);
  const gamma = 2 * (k + 2) * U;
  for (let i = 0; i < actual.length; i++) {
    const e = expected.data[i], a = actual[i];
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${label} [${i}] should be NaN`).to.equal(true);
      continue;
    }
    const tol = gamma * expected.absSum[i] + Math.abs(e) * U + (expected.err?.[i] ?? 0) + 1e-30;
    if (!(Math.abs(a - e) <= tol)) {
      expect.fail(`${label} element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tolerance ${tol}, K=${k})`);
    }
  }
}

/** Bit-exact comparison (max-pool and other ops that do no arithmetic). */
export function expectExact(actual: Float32Array, expected: ArrayLike<number>, label = ''): void {
  expect(actual.length, `${label} length`).to.equal(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = Math.fround(expected[i]);
    if (!(Object.is(actual[i], e) || actual[i] === e)) expect.fail(`${label} element ${i}: got ${actual[i]}, expected ${e}`);
  }
}
