// sigmoid, tanh and softmax are computed in float64 and rounded once, so each output is within
// half an ulp of the exact value (give or take a hair at a rounding tie), over the whole float32
// range and its specials. A Dense with an identity kernel (or one input and kernel [1]) hands the
// values to the activation unchanged, so this tests the activation alone, on every backend, kernel
// build and thread count.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { rng } from './helpers/random';

const exact: Record<'sigmoid' | 'tanh', (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
};

/** float32 values from the smallest subnormal to the largest finite, both signs, plus specials. */
function wideValues(): Float32Array {
  const r = rng(5);
  const out: number[] = [0, -0, Infinity, -Infinity, NaN, 2 ** -149, 3.4028234663852886e38];
  for (let e = -149; e <= 127; e++) for (let i = 0; i < 4; i++) out.push((r() < 0.5 ? -1 : 1) * 2 ** e * (1 + r()));
  for (let i = 0; i < 4000; i++) out.push((r() - 0.5) * 80); // where the curves bend
  return Float32Array.from(out);
}

/** |actual - exact| <= half an ulp of the result (2^-24 relative, a hair more for ties). */
function expectRounded(actual: number, e: number, label: string): void {
  if (Number.isNaN(e)) {
    expect(Number.isNaN(actual), `${label}: NaN`).to.equal(true);
    return;
  }
  const tol = Math.abs(e) * 2 ** -24 * (1 + 1e-6) + 2 ** -150;
  // (The sign of a zero is not checked: the GEMM's sum turns an input -0 into +0.)
  if (!(Math.abs(actual - e) <= tol)) {
    expect.fail(`${label}: got ${actual}, exact ${e}`);
  }
}

forEachBackend('activations computed in float64, rounded once', () => {
  const values = wideValues();
  for (const activation of ['sigmoid', 'tanh'] as const) {
    it(`${activation} of ${values.length} values across the float32 range`, () => {
      const layer = new ck.Dense({ units: 1, useBias: false, activation, kernel: new Float32Array([1]) });
      const x = new ck.Tensor(values, [values.length, 1]);
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = layer.forward(x);
          values.forEach((v, i) => expectRounded(y.data[i], exact[activation](v), `${activation}(${v}) [${isa}, ${threads} threads]`));
        }),
      );
    });
  }

  it('softmax of rows from tiny to huge spreads, each row on its own', () => {
    const rows = [
      [0, 0, 0, 0], [1, 2, 3, 4], [88, 89, 90, 91], [-1000, -1000.5, -999, -1003], [1e30, -1e30, 0, 1e30],
      [3e38, 3e38, -3e38, 2e38], [1e-30, -1e-30, 2e-38, 0], [20, -20, 0.5, -0.5], [-80, 0, -60, -103.5],
    ];
    const n = 4;
    const identity = new Float32Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0));
    const layer = new ck.Dense({ units: n, useBias: false, activation: 'softmax', kernel: identity });
    const x = Float32Array.from(rows.flat());
    forEachThreadCount((threads) => {
      const y = layer.forward(new ck.Tensor(x, [rows.length, n]));
      rows.forEach((row, r) => {
        const z = row.map(Math.fround), most = Math.max(...z);
        const sum = z.reduce((s, v) => s + Math.exp(v - most), 0);
        z.forEach((v, j) => expectRounded(y.data[r * n + j], Math.exp(v - most) / sum, `softmax row ${r} [${j}] [${threads} threads]`));
      });
    });
  });

  it('a softmax row holding NaN or +infinity, or only -infinity, is NaN; one finite value is 1', () => {
    const layer = new ck.Dense({ units: 1, useBias: false, activation: 'softmax', kernel: new Float32Array([1]) });
    const y = layer.forward(new ck.Tensor(new Float32Array([NaN, Infinity, -Infinity, -3e38, 7]), [5, 1]));
    expect(Array.from(y.data)).to.deep.equal([NaN, NaN, NaN, 1, 1]);
  });
});
