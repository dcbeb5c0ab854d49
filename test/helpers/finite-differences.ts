// Central finite differences of a loss L = sum(dy * y) computed through the float64 forward
// oracle. Linear, ReLU and max-pool layers are piecewise linear, so away from a kink (callers
// check: no ReLU input or max-pool gap within reach of the step) the difference is exact up to
// float64 rounding; through sigmoid, tanh and softmax it is off by about STEP^2 / 6 times the
// third derivative (6e-9 per unit of it), far inside expectNear's 1e-5.
import { expect } from 'chai';

export const STEP = 2 ** -12;

/** (L(v + h) - L(v - h)) / (2h) for each element of v, h rounded so that v +- h are float32. */
export function finiteDifferences(v: Float32Array, loss: () => number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const v0 = v[i];
    v[i] = v0 + STEP;
    const up = v[i] - v0, lUp = loss();
    v[i] = v0 - STEP;
    const down = v0 - v[i], lDown = loss();
    v[i] = v0;
    out[i] = (lUp - lDown) / (up + down);
  }
  return out;
}

/** sum(dy * y), in float64. */
export function dot(dy: Float32Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += dy[i] * y[i];
  return s;
}

/** Each gradient within 1e-5 * (1 + |fd|) of its finite difference. */
export function expectNear(actual: Float32Array, fd: Float64Array, label: string): void {
  expect(actual.length, `${label} length`).to.equal(fd.length);
  for (let i = 0; i < fd.length; i++) {
    if (!(Math.abs(actual[i] - fd[i]) <= 1e-5 * (1 + Math.abs(fd[i])))) expect.fail(`${label} [${i}]: got ${actual[i]}, finite difference ${fd[i]}`);
  }
}
