// Softmax over any axis (Keras's Softmax(axis)): forward and backward against a float64 oracle
// written here, central finite differences and tfjs-layers' Softmax layer (and tf.grads through
// it), on both backends, every kernel build and 1 and 2 threads giving the same bits, on random
// shapes with odd sizes; inside Sequential; in the Keras model format; the axis refused by name.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { conv2dOptions, kerasArtifacts, kerasTopology, layer, type Spec } from './helpers/keras';
import { loadSequential } from './helpers/load-sequential';
import { randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsReady, tfl } from './helpers/tfjs';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Softmax along `axis` (from the end when negative) in float64, and dx = y (dy - dy . y) from that y. */
function oracle(x: Float32Array, dy: Float32Array, shape: readonly number[], axis: number) {
  const a = axis < 0 ? shape.length + axis : axis, n = shape[a], inner = size(shape.slice(a + 1)), outer = size(shape.slice(0, a));
  const y = new Float64Array(x.length), dx = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      let max = -Infinity, sum = 0, d = 0;
      for (let k = 0; k < n; k++) max = Math.max(max, x[at(k)]);
      for (let k = 0; k < n; k++) sum += Math.exp(x[at(k)] - max);
      for (let k = 0; k < n; k++) y[at(k)] = Math.exp(x[at(k)] - max) / sum;
      for (let k = 0; k < n; k++) d += dy[at(k)] * y[at(k)];
      for (let k = 0; k < n; k++) dx[at(k)] = y[at(k)] * (dy[at(k)] - d);
    }
  }
  return { y, dx };
}

/**
 * y: exp and a sum in float64 rounded once, within a float32 half ulp plus the float64 error
 * (1e-12 relative). dx: its y is float32 (half an ulp of y), so each term is off by 2^-24 of
 * |y| (|dy| + |dy . y|): the bound below, on |y| (|dy| + max |dy|) (with 2^-22: a few roundings).
 */
function expectY(actual: Float32Array, exact: Float64Array, label: string): void {
  exact.forEach((e, i) => {
    const tol = Math.abs(e) * (2 ** -24 + 1e-12) + 2 ** -149;
    if (!(Math.abs(actual[i] - e) <= tol)) expect.fail(`${label} y[${i}]: got ${actual[i]}, float64 ${e}, tol ${tol}`);
  });
}

function expectDx(actual: Float32Array, exact: Float64Array, y: Float64Array, dyMax: number, label: string): void {
  exact.forEach((e, i) => {
    // y's float32 rounding is absolute (2^-150) where y is subnormal.
    const tol = Math.abs(e) * 2 ** -24 + (y[i] * 2 ** -22 + 2 ** -148) * 2 * dyMax + 2 ** -149;
    if (!(Math.abs(actual[i] - e) <= tol)) expect.fail(`${label} dx[${i}]: got ${actual[i]}, float64 ${e}, tol ${tol}`);
  });
}

/** Random shapes of rank 2 to 4 with odd sizes, each with every axis it has (negative ones too), and a large one that splits into tasks. */
function configs(): [number[], number][] {
  const r = rng(41), out: [number[], number][] = [[[3, 33, 40, 9], 1], [[2, 30, 37, 13], 2], [[2, 5, 7, 6], -1], [[4, 9, 5], -2]];
  for (let i = 0; i < 6; i++) {
    const rank = randomInt(r, 2, 4), shape = Array.from({ length: rank }, () => randomInt(r, 1, 9));
    out.push([shape, randomInt(r, -rank, rank - 1)]);
  }
  return out;
}

forEachBackend('Softmax over an axis', () => {
  for (const [shape, axis] of configs()) {
    it(`[${shape}] axis ${axis}: forward and backward against float64, the same bits on every build and thread count`, async () => {
      const n = size(shape), x = new ck.Tensor(randomArray(n, n).map((v, i) => (i % 7 === 0 ? v * 60 : v * 5)), shape);
      const dy = new ck.Tensor(randomArray(n, n + 1), shape), dyMax = Math.max(...Array.from(dy.data, Math.abs));
      const l = new ck.Softmax({ axis }), o = oracle(x.data, dy.data, shape, axis);
      let first: number[][] | null = null;
      forEachIsa((isa) => forEachThreadCount((threads) => {
        const y = l.forward(x).data, dx = l.backward(x, dy).dx.data;
        expectY(y, o.y, `[${isa}, ${threads}]`);
        expectDx(dx, o.dx, o.y, dyMax, `[${isa}, ${threads}]`);
        if (first === null) first = [Array.from(y), Array.from(dx)];
        else expect([Array.from(y), Array.from(dx)], `${isa}, ${threads} threads`).to.deep.equal(first);
      }));
      expect(Array.from((await l.forwardAsync(x)).data)).to.deep.equal(Array.from(l.forward(x).data));
      expect(Array.from((await l.backwardAsync(x, dy)).dx.data)).to.deep.equal(Array.from(l.backward(x, dy).dx.data));
    });
  }

  it('axis -1 and the last axis by index give the last-axis softmax bits', () => {
    const shape = [3, 4, 5, 6], x = new ck.Tensor(randomArray(360, 3), shape);
    const last = new ck.ActivationLayer({ activation: 'softmax' }).forward(x).data;
    expect(Array.from(new ck.Softmax({ axis: 3 }).forward(x).data)).to.deep.equal(Array.from(last));
    expect(Array.from(new ck.Softmax({ axis: [-1] }).forward(x).data)).to.deep.equal(Array.from(last));
  });

  it('dx equals central finite differences of sum(dy * y)', () => {
    const shape = [2, 5, 3, 4], n = size(shape), x = randomArray(n, 9).map((v) => v * 3), dy = randomArray(n, 10);
    const g = new ck.Softmax({ axis: 1 }).backward(new ck.Tensor(x, shape), new ck.Tensor(dy, shape));
    expectNear(g.dx.data, finiteDifferences(x, () => dot(dy, oracle(x, dy, shape, 1).y)), 'dx');
  });

  it('runs inside Sequential as layer by layer, sync and async', async () => {
    const layers = [new ck.Conv2D({ filters: 5, kernelSize: 3 }), new ck.Softmax({ axis: 2 }), new ck.Softmax({ axis: -3 })];
    const x = new ck.Tensor(randomArray(2 * 7 * 8 * 3, 4), [2, 7, 8, 3]);
    let y = x;
    for (const l of layers) y = l.forward(y);
    const model = new ck.Sequential(layers);
    expect(Array.from(model.forward(x).data)).to.deep.equal(Array.from(y.data));
    expect(Array.from((await model.forwardAsync(x)).data)).to.deep.equal(Array.from(y.data));
  });
});

// tfjs-layers' Softmax layer runs tf.softmax, which takes the last axis only; Keras's softmax over
// another axis is exp(x - logSumExp(x, axis)), which tfjs computes and differentiates.
describe('Softmax over an axis against TensorFlow.js', function () {
  before(tfjsReady);

  forEachBackend('exp(x - logSumExp(x, axis)) forward, and dx through tf.grad', () => {
    for (const [shape, axis] of [[[2, 6, 5, 7], 1], [[2, 6, 5, 7], 2], [[3, 4, 9], 1], [[2, 3, 4, 5], -1]] as [number[], number][]) {
      it(`[${shape}] axis ${axis}`, () => {
        const n = size(shape), x = randomArray(n, 51).map((v) => v * 4), dy = randomArray(n, 52);
        const l = new ck.Softmax({ axis }), peer = (a: tf.Tensor) => (axis === -1 ? (tfl.layers.softmax({ axis }).apply(a) as tf.Tensor) : tf.exp(tf.sub(a, tf.logSumExp(a, axis, true))));
        const [ty, tdx] = tf.tidy(() => {
          const f = (a: tf.Tensor) => tf.sum(tf.mul(peer(a), tf.tensor(dy, shape)));
          return [peer(tf.tensor(x, shape)).dataSync(), tf.grad(f)(tf.tensor(x, shape)).dataSync()];
        });
        expectMatches(l.forward(new ck.Tensor(x, shape)).data, ty, 'y');
        expectMatches(l.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, shape)).dx.data, tdx, 'dx');
      });
    }
  });
});

describe('Softmax over an axis in the Keras format', () => {
  const specs: Spec[] = [{ name: 'conv2d/kernel', shape: [1, 1, 2, 3], dtype: 'float32' }, { name: 'conv2d/bias', shape: [3], dtype: 'float32' }];
  const artifacts = (axis: unknown) => kerasArtifacts(kerasTopology([
    layer('InputLayer', 'input_1', { batch_input_shape: [null, 4, 5, 2] }), layer('Conv2D', 'conv2d', conv2dOptions(3, 1)), layer('Softmax', 'softmax', { axis }),
  ]), specs);
  const x = new ck.Tensor(randomArray(2 * 40, 6), [2, 4, 5, 2]);

  for (const axis of [1, [2], -3]) {
    it(`reads Softmax(axis ${JSON.stringify(axis)}) after a Conv2D as a layer of its own, and saves it back`, async () => {
      const model = await loadSequential(artifacts(axis)), a = Array.isArray(axis) ? axis[0] : axis;
      expect(model.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D', 'Softmax']);
      const conv = model.layers[0].forward(x);
      expect(Array.from(model.forward(x).data)).to.deep.equal(Array.from(new ck.Softmax({ axis: a }).forward(conv).data));
      const again = await loadSequential(model.toArtifacts());
      expect((again.layers[1] as ck.Softmax).axis).to.equal(a);
      expect(Array.from(again.forward(x).data)).to.deep.equal(Array.from(model.forward(x).data));
    });
  }

  it('reads Softmax over the last axis (3, or -1) into the Conv2D as its activation', async () => {
    for (const axis of [3, -1]) expect((await loadSequential(artifacts(axis))).layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D']);
  });

  for (const [axis, message] of [[[1, 2], /Softmax layer 'softmax': axis \[1, 2\] is not supported.*several axes/], [4, /Softmax layer 'softmax': axis 4 is not supported/], ['1', /axis/]] as [unknown, RegExp][]) {
    it(`refuses axis ${JSON.stringify(axis)}, naming the option`, async () => {
      let error: unknown = null;
      await loadSequential(artifacts(axis)).catch((e) => (error = e));
      expect(String(error)).to.match(message);
    });
  }

  it('the layer refuses an axis the input does not have, or several, naming axis', () => {
    expect(() => new ck.Softmax({ axis: 4 }).forward(x)).to.throw(RangeError, /axis in \[-4, 3\]/);
    expect(() => new ck.Softmax({ axis: [1, 2] })).to.throw(RangeError, /axis.*several axes/);
    expect(() => new ck.Softmax({ axis: 1.5 })).to.throw(RangeError, /axis/);
    expect(() => new ck.Softmax({ axis: '1' as unknown as number })).to.throw(TypeError, /axis/);
  });
});
