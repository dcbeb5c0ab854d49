// PReLU: forward, dx and dalpha against float64 oracles written here, central finite differences
// and TensorFlow.js (tf.prelu and tf.grads, tfjs-layers' PReLU), on both backends, every kernel
// build and 1 and 2 threads giving the same bits, on random shapes of rank 2 to 4 with odd
// channel counts; inside Sequential and fit; in the Keras model format; its options refused by name.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { kerasArtifacts, kerasTopology, layer, type Spec } from './helpers/keras';
import { loadSequential } from './helpers/load-sequential';
import { randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

const f32 = Math.fround;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The rows the shared axes make and the alphas per row: [m, c]. */
function rowsOf(shape: readonly number[], shared: number): [number, number] {
  const c = size(shape.slice(shared + 1));
  return [size(shape) / c, c];
}

/** y, dx and dalpha in float64 (dalpha: each product exact, summed in row order, with the sum of |terms| for the tolerance). */
function oracle(x: Float32Array, dy: Float32Array, alpha: Float32Array, c: number) {
  const y = new Float64Array(x.length), dx = new Float64Array(x.length), dalpha = new Float64Array(c), mass = new Float64Array(c);
  x.forEach((v, i) => {
    const a = alpha[i % c];
    y[i] = v > 0 ? v : v * a;
    dx[i] = v > 0 ? dy[i] : dy[i] * a;
    const term = v > 0 ? 0 : dy[i] * v;
    dalpha[i % c] += term;
    mass[i % c] += Math.abs(term);
  });
  return { y, dx, dalpha, mass };
}

/** A float32 result of one rounding of the float64 value: exactly its fround. */
function expectRounded(actual: Float32Array, exact: Float64Array, label: string): void {
  exact.forEach((e, i) => {
    if (!Object.is(actual[i], f32(e))) expect.fail(`${label} [${i}]: got ${actual[i]}, float64 ${e}`);
  });
}

/** A float64 sum in another order, rounded once: half an ulp of float32 plus the float64 error of the order. */
function expectSums(actual: Float32Array, exact: Float64Array, mass: Float64Array, rows: number, label: string): void {
  exact.forEach((e, j) => {
    const tol = Math.abs(e) * 2 ** -24 + mass[j] * rows * 2 ** -52 + 2 ** -149;
    if (!(Math.abs(actual[j] - e) <= tol)) expect.fail(`${label} dalpha[${j}]: got ${actual[j]}, float64 ${e}, tol ${tol}`);
  });
}

interface Config {
  shape: number[];
  shared: number;
}

/** Random shapes of rank 2 to 4 (odd channel counts among them), each with a sharing it allows, and a large per-channel one that splits into chunks and threads. */
function configs(): Config[] {
  const r = rng(23), out: Config[] = [
    { shape: [9, 40, 40, 5], shared: 2 }, { shape: [2, 3, 4, 17], shared: 0 }, { shape: [3, 7], shared: 0 }, { shape: [4, 5, 33], shared: 1 },
  ];
  for (let i = 0; i < 8; i++) {
    const rank = randomInt(r, 2, 4), shape = [randomInt(r, 1, 4), ...Array.from({ length: rank - 1 }, () => randomInt(r, 1, 9))];
    out.push({ shape, shared: randomInt(r, 0, rank - 2) });
  }
  return out;
}

const sharedAxes = (k: number) => Array.from({ length: k }, (_, i) => i + 1);

forEachBackend('PReLU', () => {
  for (const { shape, shared } of configs()) {
    it(`[${shape}] sharing axes [${sharedAxes(shared)}]: y, dx and dalpha against float64, the same bits on every build and thread count`, async () => {
      const [m, c] = rowsOf(shape, shared), n = size(shape);
      // Some exact zeros and negative zeros: x <= 0 takes the alpha branch, as Keras's.
      const x = new ck.Tensor(randomArray(n, n).map((v, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? -0 : v * 3)), shape);
      const dy = new ck.Tensor(randomArray(n, n + 1), shape), alpha = randomArray(c, c).map((v) => v * 0.5);
      const l = new ck.PReLU({ sharedAxes: sharedAxes(shared), alpha });
      const o = oracle(x.data, dy.data, alpha, c);
      let first: number[][] | null = null;
      forEachIsa((isa) => forEachThreadCount((threads) => {
        const y = l.forward(x).data, g = l.backward(x, dy);
        expectRounded(y, o.y, `y [${isa}, ${threads}]`);
        expectRounded(g.dx.data, o.dx, `dx [${isa}, ${threads}]`);
        expectSums(g.alpha!, o.dalpha, o.mass, m, `[${isa}, ${threads}]`);
        const bits = [Array.from(y), Array.from(g.dx.data), Array.from(g.alpha!)];
        if (first === null) first = bits;
        else expect(bits, `${isa}, ${threads} threads`).to.deep.equal(first);
      }));
      expect(Array.from((await l.forwardAsync(x)).data)).to.deep.equal(Array.from(l.forward(x).data));
      const a = await l.backwardAsync(x, dy), s = l.backward(x, dy);
      expect([Array.from(a.dx.data), Array.from(a.alpha!)]).to.deep.equal([Array.from(s.dx.data), Array.from(s.alpha!)]);
    });
  }

  it('dx and dalpha equal central finite differences of sum(dy * y)', () => {
    const shape = [3, 4, 5, 3], n = size(shape), alpha = Float32Array.from([0.25, -0.5, 1.5]);
    // Away from the kink at 0 by far more than the step.
    const x = randomArray(n, 7).map((v) => (v < 0 ? v - 0.1 : v + 0.1)), dy = randomArray(n, 8);
    const l = new ck.PReLU({ sharedAxes: [1, 2], alpha });
    const g = l.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, shape));
    const loss = () => dot(dy, oracle(x, dy, alpha, 3).y);
    expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
    expectNear(g.alpha!, finiteDifferences(alpha, loss), 'dalpha');
  });

  it('runs inside Sequential (one graph) as layer by layer, sync and async', async () => {
    const layers = [new ck.Conv2D({ filters: 5, kernelSize: 3, padding: 'same' }), new ck.PReLU({ sharedAxes: [1, 2], alpha: randomArray(5, 3) }), new ck.PReLU()];
    const x = new ck.Tensor(randomArray(2 * 6 * 7 * 3, 4), [2, 6, 7, 3]);
    let y = x;
    for (const l of layers) y = l.forward(y);
    const model = new ck.Sequential(layers);
    expect(Array.from(model.forward(x).data)).to.deep.equal(Array.from(y.data));
    expect(Array.from((await model.forwardAsync(x)).data)).to.deep.equal(Array.from(y.data));
    // alphaInitializer 'zeros' (the default): the second PReLU is relu.
    expect(Array.from(y.data).every((v) => v >= 0)).to.equal(true);
  });

  it('runs in a functional model (a branch through PReLU and Softmax over an axis, added back) with its layers\' bits, and saves and loads', async () => {
    const x = ck.input({ shape: [5, 4, 3] });
    const prelu = new ck.PReLU({ sharedAxes: [1, 2], alpha: [0.1, -0.2, 0.3], name: 'slopes' }), softmax = new ck.Softmax({ axis: 1 }), add = new ck.Add();
    const p1 = prelu.apply(x);
    const model = ck.model({ inputs: x, outputs: add.apply([p1, softmax.apply(p1)]) });
    const t = new ck.Tensor(randomArray(2 * 60, 12), [2, 5, 4, 3]), p = prelu.forward(t);
    const want = add.forward([p, softmax.forward(p)]);
    expect(Array.from((model.forward(t) as ck.Tensor).data)).to.deep.equal(Array.from(want.data));
    const again = await ck.loadModel(model.toArtifacts());
    expect(Array.from((again.forward(t) as ck.Tensor).data)).to.deep.equal(Array.from(want.data));
  });

  it('fit trains alpha (its gradient reaches the optimizer) and lowers the loss', async () => {
    const r = rng(5), x = new ck.Tensor(Float32Array.from({ length: 64 * 3 }, () => r() * 2 - 1), [64, 3]);
    const y = new ck.Tensor(Float32Array.from(x.data, (v, i) => (v > 0 ? v : (i % 3 === 1 ? -0.7 : 0.4) * v)), [64, 3]);
    const prelu = new ck.PReLU({ alpha: [0, 0, 0] }), model = new ck.Sequential([prelu]);
    model.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'meanSquaredError' });
    const { history } = await model.fit(x, y, { epochs: 30, batchSize: 16, seed: 1, verbose: 0 });
    expect(history.loss[history.loss.length - 1]).to.be.below(history.loss[0] / 10);
    const alpha = prelu.getWeights().alpha!;
    expectMatches(alpha, [0.4, -0.7, 0.4], 'trained alpha', 0.05);
  });

  it('the backend checks the arrays of the prelu op again (no kernel runs on a wrong length)', () => {
    const b = backend(), f = (n: number) => new Float32Array(n), p = { m: 2, c: 3 };
    expect(b.preluBackward(f(6), f(6), f(3), p).dalpha).to.have.length(3);
    expect(() => b.preluBackward(f(5), f(6), f(3), p)).to.throw(RangeError, /x/);
    expect(() => b.preluBackward(f(6), f(7), f(3), p)).to.throw(RangeError, /dy/);
    expect(() => b.preluBackward(f(6), f(6), f(2), p)).to.throw(RangeError, /alpha/);
    expect(() => b.preluBackward(f(6), f(6), f(3), { m: 0, c: 3 })).to.throw(RangeError, /m/);
    const op = b.createOperator({ op: 'prelu', alpha: f(4), params: p });
    expect(() => op.reshape(p)).to.throw(RangeError, /alpha/);
    op.release();
  });
});

describe('PReLU against TensorFlow.js', function () {
  before(tfjsReady);

  forEachBackend('tf.prelu and tf.grads', () => {
    for (const [shape, shared] of [[[2, 5, 6, 7], 2], [[3, 4, 9], 0], [[5, 11], 0], [[2, 3, 4, 5], 1]] as [number[], number][]) {
      it(`[${shape}] sharing [${sharedAxes(shared)}]`, () => {
        const n = size(shape), [, c] = rowsOf(shape, shared), x = randomArray(n, 31), dy = randomArray(n, 32), alpha = randomArray(c, 33);
        const alphaShape = shape.slice(1).map((d, i) => (i < shared ? 1 : d));
        const l = new ck.PReLU({ sharedAxes: sharedAxes(shared), alpha });
        const g = l.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, shape));
        const [ty, tdx, tda] = tf.tidy(() => {
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.prelu(a, b), tf.tensor(dy, shape)));
          const [gx, ga] = tf.grads(f)([tf.tensor(x, shape), tf.tensor(alpha, alphaShape)]);
          return [tf.prelu(tf.tensor(x, shape), tf.tensor(alpha, alphaShape)).dataSync(), gx.dataSync(), ga.dataSync()];
        });
        expectMatches(l.forward(new ck.Tensor(x, shape)).data, ty, 'y');
        expectMatches(g.dx.data, tdx, 'dx');
        expectMatches(g.alpha!, tda, 'dalpha', 1e-5 * Math.sqrt(n / c));
      });
    }
  });

  forEachBackend('tfjs-layers saves, convkit loads, predicts and saves back', () => {
    for (const sharedAxes of [[1, 2], undefined]) {
      it(`Conv2D, PReLU({ sharedAxes: ${JSON.stringify(sharedAxes)} }), Flatten, Dense`, async () => {
        const model = tfl.sequential({ layers: [
          tfl.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3 }), tfl.layers.prelu({ sharedAxes }), tfl.layers.flatten(), tfl.layers.dense({ units: 4 }),
        ] });
        model.setWeights(model.weights.map((w, j) => tf.tensor(randomArray(size(w.shape as number[]), 40 + j), w.shape as number[])));
        const shape = [2, 6, 5, 2], x = randomArray(size(shape), 41);
        const loaded = await loadSequential(await tfjsArtifacts(model));
        expect(loaded.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D', 'PReLU', 'Flatten', 'Dense']);
        expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, tfjsPredict(model, x, shape), 'forward');
        const again = await tfjsLoad(loaded.toArtifacts());
        expectMatches(tfjsPredict(again, x, shape), tfjsPredict(model, x, shape), 'tfjs from convkit');
        model.dispose();
        again.dispose();
      });
    }
  });
});

describe('PReLU in the Keras format', () => {
  const topology = (config: Record<string, unknown>) => kerasTopology([
    layer('InputLayer', 'input_1', { batch_input_shape: [null, 4, 3, 5] }), layer('PReLU', 'p_re_lu', { alpha_initializer: { class_name: 'Zeros', config: {} }, ...config }),
  ]);

  it('reads alpha of Keras\'s shape (shared axes 1) and saves it back the same', async () => {
    const specs: Spec[] = [{ name: 'p_re_lu/alpha', shape: [1, 1, 5], dtype: 'float32' }];
    const model = await loadSequential(kerasArtifacts(topology({ shared_axes: [1, 2] }), specs));
    const prelu = model.layers[0] as ck.PReLU;
    expect(prelu.sharedAxes).to.deep.equal([1, 2]);
    const x = new ck.Tensor(randomArray(2 * 60, 3), [2, 4, 3, 5]);
    const expected = new ck.PReLU({ sharedAxes: [1, 2], alpha: prelu.getWeights().alpha! }).forward(x);
    expect(Array.from(model.forward(x).data)).to.deep.equal(Array.from(expected.data));
    const saved = model.toArtifacts();
    expect(saved.weightSpecs!.map((s) => [s.name, s.shape])).to.deep.equal([['p_re_lu_1/alpha', [1, 1, 5]]]);
    const again = await loadSequential(saved);
    expect(Array.from(again.forward(x).data)).to.deep.equal(Array.from(expected.data));
  });

  it('reads an unshared alpha (shared_axes null) of the whole input shape', async () => {
    const specs: Spec[] = [{ name: 'p_re_lu/alpha', shape: [4, 3, 5], dtype: 'float32' }];
    const model = await loadSequential(kerasArtifacts(topology({ shared_axes: null }), specs));
    expect(model.layers[0].getWeights().alpha).to.have.length(60);
  });

  it('refuses shared axes that do not lead, naming the option', async () => {
    const specs: Spec[] = [{ name: 'p_re_lu/alpha', shape: [4, 1, 5], dtype: 'float32' }];
    let error: unknown = null;
    await loadSequential(kerasArtifacts(topology({ shared_axes: [2] }), specs)).catch((e) => (error = e));
    expect(String(error)).to.match(/PReLU layer 'p_re_lu': shared_axes \[2\] is not supported/);
  });
});

describe('PReLU options', () => {
  it('are validated, naming the option', () => {
    expect(() => new ck.PReLU({ sharedAxes: [2] })).to.throw(RangeError, /sharedAxes/);
    expect(() => new ck.PReLU({ sharedAxes: [0] })).to.throw(RangeError, /sharedAxes\[0\]/);
    expect(() => new ck.PReLU({ sharedAxes: '1' as unknown as number })).to.throw(TypeError, /sharedAxes/);
    expect(() => new ck.PReLU({ alphaInitializer: 'glorotUniform' as ck.PReLUInitializer })).to.throw(RangeError, /alphaInitializer/);
    expect(() => new ck.PReLU({ alpha: 'a' as unknown as number[] })).to.throw(TypeError, /alpha/);
    expect(() => new ck.PReLU({ alpha: [] })).to.throw(RangeError, /alpha/);
    expect(() => new ck.PReLU({ alpha: [0.1, 'x' as unknown as number] })).to.throw(TypeError, /alpha/);
    expect(() => new ck.PReLU({ alpha: [1, 2] }).forward(new ck.Tensor(new Float32Array(6), [2, 3]))).to.throw(RangeError, /alpha/);
    expect(() => new ck.PReLU({ sharedAxes: [1, 2] }).forward(new ck.Tensor(new Float32Array(6), [2, 3]))).to.throw(RangeError, /rank/);
    expect(() => new ck.PReLU().setWeights({ kernel: new Float32Array(1) })).to.throw(TypeError, /alpha/);
  });

  it("alphaInitializer 'ones' makes the identity", () => {
    const x = new ck.Tensor(randomArray(12, 2), [3, 4]);
    expect(Array.from(new ck.PReLU({ alphaInitializer: 'ones' }).forward(x).data)).to.deep.equal(Array.from(x.data));
  });
});
