// The losses of compile() against float64 formulas written here from TensorFlow.js's
// definitions (tfjs-layers losses.ts), their gradients against central finite differences of
// those formulas, and the fused softmax + cross-entropy (from the logits) against the same
// formulas through a float64 softmax.
import { expect } from 'chai';
import { EPSILON, type LossName, lossSums, type Targets } from '../lib/train/losses';
import { rng } from './helpers/random';

const clip = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p));

/** tfjs: mean over rows of mean_j (p_j - t_j)^2. */
function mseRef(p: number[][], t: number[][]): number {
  return p.reduce((s, row, r) => s + row.reduce((a, v, j) => a + (v - t[r][j]) ** 2, 0) / row.length, 0) / p.length;
}

/** tfjs categoricalCrossentropy: q = p / sum(p), clipped to [eps, 1 - eps], -sum t log q; mean over rows. */
function cceRef(p: number[][], t: number[][]): number {
  return p.reduce((s, row, r) => {
    const sum = row.reduce((a, v) => a + v, 0);
    return s - row.reduce((a, v, j) => a + t[r][j] * Math.log(clip(v / sum)), 0);
  }, 0) / p.length;
}

/** tfjs sparseCategoricalCrossentropy: p clipped, then categoricalCrossentropy against one-hot rows. */
function sparseRef(p: number[][], classes: number[]): number {
  return cceRef(p.map((row) => row.map(clip)), classes.map((c, r) => p[r].map((_, j) => (j === c ? 1 : 0))));
}

/** Cross-entropy of softmax(z): -sum t log softmax(z), the softmax written out in float64. */
function logitsRef(z: number[][], t: number[][]): number {
  return z.reduce((s, row, r) => {
    const e = row.map((v) => Math.exp(v - Math.max(...row))), sum = e.reduce((a, v) => a + v, 0);
    return s - row.reduce((a, _, j) => a + (t[r][j] ? t[r][j] * Math.log(e[j] / sum) : 0), 0);
  }, 0) / z.length;
}

function oneHot(classes: number[], cols: number): number[][] {
  return classes.map((c) => Array.from({ length: cols }, (_, j) => (j === c ? 1 : 0)));
}

/** lossSums' mean loss and gradient of the mean, for a batch given as rows. */
function computed(name: LossName, out: number[][], targets: Targets, fromLogits: boolean): { loss: number; grad: Float32Array; correct: number } {
  const data = Float32Array.from(out.flat()), grad = new Float32Array(data.length);
  const s = lossSums(name, data, out[0].length, targets, fromLogits, grad, 1 / out.length);
  return { loss: s.loss / out.length, grad, correct: s.correct };
}

/** Central differences of f at each element of x (float64, step h). */
function centralDifferences(x: number[][], f: (v: number[][]) => number, h = 1e-6): number[] {
  const out: number[] = [];
  x.forEach((row, r) =>
    row.forEach((v, j) => {
      const at = (d: number) => f(x.map((q, i) => (i === r ? q.map((w, k) => (k === j ? v + d : w)) : q)));
      out.push((at(h) - at(-h)) / (2 * h));
    }),
  );
  return out;
}

function expectGrad(grad: Float32Array, fd: number[], label: string): void {
  expect(grad.length).to.equal(fd.length);
  fd.forEach((e, i) => {
    if (!(Math.abs(grad[i] - e) <= 1e-6 * (1 + Math.abs(e)))) expect.fail(`${label} [${i}]: ${grad[i]}, finite difference ${e}`);
  });
}

/** A batch of rows x cols values in [lo, hi), rounded to float32 (the model's outputs are). */
function batch(rows: number, cols: number, seed: number, lo: number, hi: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(lo + (hi - lo) * r())));
}

const f32 = (x: number[][]) => x.map((row) => row.map(Math.fround));

describe('losses against float64 formulas and finite differences', () => {
  for (const [rows, cols] of [[1, 1], [3, 4], [7, 10], [2, 33]]) {
    const shape = `${rows} x ${cols}`;
    const classes = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % cols);

    it(`meanSquaredError, ${shape}`, () => {
      const p = batch(rows, cols, rows + cols, -2, 2), t = f32(batch(rows, cols, 99, -1, 1));
      const c = computed('meanSquaredError', p, { kind: 'dense', values: Float32Array.from(t.flat()) }, false);
      expect(c.loss).to.be.closeTo(mseRef(p, t), 1e-12 * (1 + mseRef(p, t)));
      expectGrad(c.grad, centralDifferences(p, (v) => mseRef(v, t)), 'dL/dp');
      // The closed form too: 2 (p - t) / (rows * cols).
      p.flat().forEach((v, i) => expect(c.grad[i]).to.equal(Math.fround((2 * (v - t.flat()[i])) / cols / rows)));
    });

    it(`categoricalCrossentropy on probabilities (normalised, clipped), ${shape}`, () => {
      const p = batch(rows, cols, 2 * rows + cols, 0.05, 1), t = oneHot(classes, cols);
      const c = computed('categoricalCrossentropy', p, { kind: 'dense', values: Float32Array.from(t.flat()) }, false);
      expect(c.loss).to.be.closeTo(cceRef(p, t), 1e-12 * (1 + cceRef(p, t)));
      if (cols > 1) expectGrad(c.grad, centralDifferences(p, (v) => cceRef(v, t)), 'dL/dp');
    });

    it(`sparseCategoricalCrossentropy on probabilities, ${shape}`, () => {
      const p = batch(rows, cols, 3 * rows + cols, 0.05, 0.95);
      const c = computed('sparseCategoricalCrossentropy', p, { kind: 'sparse', classes: Int32Array.from(classes) }, false);
      expect(c.loss).to.be.closeTo(sparseRef(p, classes), 1e-12 * (1 + sparseRef(p, classes)));
      if (cols > 1) expectGrad(c.grad, centralDifferences(p, (v) => sparseRef(v, classes)), 'dL/dp');
    });

    for (const name of ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const) {
      it(`${name} from the logits of a softmax (fused), ${shape}`, () => {
        const z = batch(rows, cols, 4 * rows + cols, -6, 6), t = oneHot(classes, cols);
        const targets: Targets = name === 'sparseCategoricalCrossentropy'
          ? { kind: 'sparse', classes: Int32Array.from(classes) } : { kind: 'dense', values: Float32Array.from(t.flat()) };
        const c = computed(name, z, targets, true);
        expect(c.loss).to.be.closeTo(logitsRef(z, t), 1e-12 * (1 + logitsRef(z, t)));
        expectGrad(c.grad, centralDifferences(z, (v) => logitsRef(v, t)), 'dL/dz');
      });
    }
  }

  it('fused: soft targets (rows summing to other than 1) follow sum_j t_j (logsumexp - z_j)', () => {
    const z = batch(3, 5, 8, -3, 3), t = f32(batch(3, 5, 9, 0, 1));
    const c = computed('categoricalCrossentropy', z, { kind: 'dense', values: Float32Array.from(t.flat()) }, true);
    expect(c.loss).to.be.closeTo(logitsRef(z, t), 1e-12);
    expectGrad(c.grad, centralDifferences(z, (v) => logitsRef(v, t)), 'dL/dz');
  });

  it('fused: logits far apart give a finite loss and gradient (no probability is divided by)', () => {
    const z = [[1000, 0, -1000], [-3e38, 3e38, 0]];
    const c = computed('sparseCategoricalCrossentropy', z, { kind: 'sparse', classes: Int32Array.from([2, 0]) }, true);
    // -log softmax: 2000 for the first row, 2 * 3e38 (as float32) for the second; softmax - onehot, halved.
    expect(c.loss).to.equal((2000 + 2 * Math.fround(3e38)) / 2);
    expect(Array.from(c.grad)).to.deep.equal([0.5, 0, -0.5, -0.5, 0.5, 0]);
  });

  it('on probabilities, a probability of 0 is clipped to 1e-7 as tfjs does, and the clip stops its gradient', () => {
    const c = computed('categoricalCrossentropy', [[0, 1]], { kind: 'dense', values: Float32Array.from([1, 0]) }, false);
    expect(c.loss).to.be.closeTo(-Math.log(1e-7), 1e-12);
    expect(Array.from(c.grad)).to.deep.equal([0, 0]);
    // sparse clips p itself first: the clipped entry takes no gradient, the others do.
    const s = computed('sparseCategoricalCrossentropy', [[1e-9, 0.5, 0.5]], { kind: 'sparse', classes: Int32Array.from([1]) }, false);
    expect(s.loss).to.be.closeTo(sparseRef([[1e-9, 0.5, 0.5]], [1]), 1e-12);
    expect(s.grad[0]).to.equal(0);
    expectGrad(s.grad.subarray(1), centralDifferences([[0.5, 0.5]], (v) => sparseRef([[1e-9, ...v[0]]], [1])), 'dL/dp');
  });

  it('counts rows whose argmax matches: the target argmax, or the class (the first of tied maxima)', () => {
    const out = [[0.1, 0.7, 0.2], [0.5, 0.5, 0], [0.2, 0.3, 0.5]];
    const dense = computed('categoricalCrossentropy', out, { kind: 'dense', values: Float32Array.from(oneHot([1, 1, 0], 3).flat()) }, false);
    expect(dense.correct).to.equal(1);
    const sparse = computed('sparseCategoricalCrossentropy', out, { kind: 'sparse', classes: Int32Array.from([1, 0, 2]) }, false);
    expect(sparse.correct).to.equal(3);
  });
});
