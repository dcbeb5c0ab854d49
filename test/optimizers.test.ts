// The optimizers of compile() against their update rules written here in float64 (TensorFlow.js's
// sgd, momentum and adam), over several steps; their defaults; a step through a model (fit on
// both backends) against the gradient written by hand; and against TensorFlow.js's own
// optimizers (tfjs-core, a devDependency).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { makeOptimizer, type OptimizerSpec } from '../lib/train/optimizers';
import { expectThrowsNamed } from './helpers/arbitraries';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { tf, tfjsReady } from './helpers/tfjs';

type Rule = (w: number[], grads: number[][]) => number[];

/** w -= lr g. */
const sgdRule = (lr: number): Rule => (w, grads) => grads.reduce((v, g) => v.map((x, i) => x - lr * g[i]), w);

/** tf.train.momentum: a = momentum a + g; w -= lr a. */
const momentumRule = (lr: number, momentum: number): Rule => (w, grads) => {
  let a = w.map(() => 0), v = w;
  for (const g of grads) {
    a = a.map((x, i) => momentum * x + g[i]);
    v = v.map((x, i) => x - lr * a[i]);
  }
  return v;
};

/** tf.train.adam: m, v moments; w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). */
const adamRule = (lr: number, b1: number, b2: number, eps: number): Rule => (w, grads) => {
  let m = w.map(() => 0), s = w.map(() => 0), v = w;
  grads.forEach((g, step) => {
    const t = step + 1;
    m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
    s = s.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
    v = v.map((x, i) => x - (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(s[i] / (1 - b2 ** t)) + eps));
  });
  return v;
};

/** Four steps on two weight arrays (their states apart), against the rule applied to each. */
function expectSteps(spec: OptimizerSpec, rule: Rule): void {
  const opt = makeOptimizer(spec);
  const w0 = [randomArray(7, 1), randomArray(3, 2)];
  const grads = [0, 1, 2, 3].map((s) => [randomArray(7, 10 + s).map((g) => g * (s + 1)), randomArray(3, 20 + s)]);
  const w = w0.map((a) => a.slice());
  for (const g of grads) opt.step([{ key: 'a', value: w[0], grad: g[0] }, { key: 'b', value: w[1], grad: g[1] }]);
  w.forEach((got, k) => {
    const want = rule(Array.from(w0[k]), grads.map((g) => Array.from(g[k])));
    const moved = want.map((x, i) => Math.abs(x - w0[k][i]));
    got.forEach((x, i) => {
      // float32 weights and state: a few roundings of w, and of each update
      const tol = 8 * 2 ** -24 * Math.abs(want[i]) + 1e-5 * moved[i];
      if (!(Math.abs(x - want[i]) <= tol)) expect.fail(`${JSON.stringify(spec)} weight ${k}[${i}]: ${x}, rule gives ${want[i]}`);
    });
  });
}

describe('optimizers: update rules over several steps', () => {
  it("'sgd': learning rate 0.01", () => expectSteps('sgd', sgdRule(0.01)));
  it('sgd with a learning rate', () => expectSteps({ type: 'sgd', learningRate: 0.3 }, sgdRule(0.3)));
  it('sgd with momentum (tf.train.momentum)', () => expectSteps({ type: 'sgd', learningRate: 0.05, momentum: 0.9 }, momentumRule(0.05, 0.9)));
  it("'adam': 0.001, 0.9, 0.999, 1e-7", () => expectSteps('adam', adamRule(0.001, 0.9, 0.999, 1e-7)));
  it('adam with every setting given', () => {
    expectSteps({ type: 'adam', learningRate: 0.02, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }, adamRule(0.02, 0.5, 0.9, 1e-3));
  });
  it('the defaults are TensorFlow.js\'s', () => {
    expect(makeOptimizer('sgd').config).to.deep.equal({ type: 'sgd', learningRate: 0.01, momentum: 0 });
    expect(makeOptimizer({ type: 'sgd' }).config).to.deep.equal({ type: 'sgd', learningRate: 0.01, momentum: 0 });
    expect(makeOptimizer('adam').config).to.deep.equal({ type: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });
});

describe('optimizers: the same steps as TensorFlow.js', () => {
  // The peer as tfjs-layers makes it from the name ('sgd': sgd(0.01); 'adam': adam() with tfjs's
  // own defaults), or from the same settings.
  type Train = { sgd(lr: number): unknown; momentum(lr: number, m: number): unknown; adam(lr?: number, b1?: number, b2?: number, eps?: number): unknown };
  const cases: [OptimizerSpec, string, (t: Train) => unknown][] = [
    ['sgd', 'tf.train.sgd(0.01)', (t) => t.sgd(0.01)],
    [{ type: 'sgd', learningRate: 0.1, momentum: 0.8 }, 'tf.train.momentum(0.1, 0.8)', (t) => t.momentum(0.1, 0.8)],
    ['adam', 'tf.train.adam()', (t) => t.adam()],
    [{ type: 'adam', learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }, 'tf.train.adam(0.01, 0.8, 0.99, 1e-4)', (t) => t.adam(0.01, 0.8, 0.99, 1e-4)],
  ];
  for (const [spec, tfName, make] of cases) {
    it(`${JSON.stringify(spec)} takes the steps of ${tfName}`, async () => {
      await tfjsReady();
      const peer = make(tf.train) as { applyGradients(g: Record<string, unknown>): void };
      const w0 = randomArray(9, 5), name = `w${Math.random()}`;
      const variable = tf.variable(tf.tensor1d(w0), true, name);
      const ours = makeOptimizer(spec), w = w0.slice();
      for (let s = 0; s < 5; s++) {
        const g = randomArray(9, 30 + s);
        peer.applyGradients({ [name]: tf.tensor1d(g) });
        ours.step([{ key: 'w', value: w, grad: g }]);
      }
      const theirs = variable.dataSync() as Float32Array;
      w.forEach((x, i) => expect(x, `[${i}]`).to.be.closeTo(theirs[i], 4e-7 * (1 + Math.abs(theirs[i]))));
      variable.dispose();
    });
  }
});

describe('optimizer options: errors', () => {
  const dense = () => new ck.Sequential([new ck.Dense({ units: 2 })]);
  const bad: [string, unknown, string, typeof TypeError | typeof RangeError, RegExp][] = [
    ['an unknown name, listing the valid ones', 'rmsprop', 'optimizer', RangeError, /one of 'sgd', 'adam' for optimizer but received 'rmsprop'/],
    ['an unknown type', { type: 'adagrad' }, 'optimizer.type', RangeError, /one of 'sgd', 'adam'/],
    ['no type', { learningRate: 0.1 }, 'optimizer.type', TypeError, /one of 'sgd', 'adam' for optimizer.type but received undefined/],
    ['a negative learning rate', { type: 'sgd', learningRate: -1 }, 'optimizer.learningRate', RangeError, /finite number > 0 for optimizer.learningRate but received -1 of type number/],
    ['a learning rate as a string', { type: 'adam', learningRate: '0.1' }, 'optimizer.learningRate', TypeError, /received '0.1' of type string/],
    ['momentum 1', { type: 'sgd', momentum: 1 }, 'optimizer.momentum', RangeError, /finite number >= 0 and < 1 for optimizer.momentum/],
    ['beta2 above 1', { type: 'adam', beta2: 1.5 }, 'optimizer.beta2', RangeError, /optimizer.beta2 but received 1.5/],
    ['epsilon 0', { type: 'adam', epsilon: 0 }, 'optimizer.epsilon', RangeError, /finite number > 0 for optimizer.epsilon/],
    ['a misspelt setting', { type: 'sgd', lr: 0.1 }, 'optimizer', RangeError, /one of the keys 'type', 'learningRate', 'momentum' for optimizer but received key 'lr'/],
    ['an adam setting on sgd', { type: 'sgd', beta1: 0.9 }, 'optimizer', RangeError, /for optimizer but received key 'beta1'/],
    ['a number', 5, 'optimizer', TypeError, /for optimizer but received 5 of type number/],
    ['none', undefined, 'optimizer', TypeError, /for optimizer but received undefined/],
  ];
  for (const [title, optimizer, name, type, message] of bad) {
    it(`${title}: ${type.name} naming ${name}`, () => {
      const e = expectThrowsNamed(() => dense().compile({ optimizer, loss: 'meanSquaredError' } as ck.CompileOptions), { name, type });
      expect(e.message).to.match(message);
    });
  }
});

forEachBackend('an optimizer step through fit', () => {
  // Dense, linear, meanSquaredError, one batch of the whole of x: the gradient by hand is
  // dW = X^T D, dBias = column sums of D, D = 2 (X W + bias - Y) / (rows * units).
  const rows = 6, k = 5, units = 3;
  const x = randomArray(rows * k, 40), y = randomArray(rows * units, 41), kernel = randomArray(k * units, 42), bias = randomArray(units, 43);
  function gradients(w: Float32Array, b: Float32Array): { dW: number[]; dB: number[] } {
    const d: number[] = [];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < units; j++) {
        let z = b[j];
        for (let t = 0; t < k; t++) z += x[i * k + t] * w[t * units + j];
        d.push((2 * (z - y[i * units + j])) / (rows * units));
      }
    const dW = Array.from({ length: k * units }, (_, a) => {
      const t = Math.floor(a / units), j = a % units;
      return d.reduce((s, v, r) => (r % units === j ? s + x[Math.floor(r / units) * k + t] * v : s), 0);
    });
    const dB = Array.from({ length: units }, (_, j) => d.reduce((s, v, r) => (r % units === j ? s + v : s), 0));
    return { dW, dB };
  }
  for (const [spec, rule] of [[{ type: 'sgd', learningRate: 0.1 }, sgdRule(0.1)], [{ type: 'adam', learningRate: 0.01 }, adamRule(0.01, 0.9, 0.999, 1e-7)]] as const) {
    it(`${spec.type}: one step of fit moves the weights by the rule on the hand-written gradient`, async () => {
      const model = new ck.Sequential([new ck.Dense({ units, kernel, bias })]);
      model.compile({ optimizer: spec, loss: 'meanSquaredError' });
      await model.fit(new ck.Tensor(x, [rows, k]), new ck.Tensor(y, [rows, units]), { batchSize: rows, verbose: 0 });
      const { dW, dB } = gradients(kernel, bias);
      const got = model.layers[0].getWeights();
      const wantW = rule(Array.from(kernel), [dW]), wantB = rule(Array.from(bias), [dB]);
      got.kernel!.forEach((v, i) => expect(v, `kernel[${i}]`).to.be.closeTo(wantW[i], 1e-6 * (1 + Math.abs(wantW[i]))));
      got.bias!.forEach((v, i) => expect(v, `bias[${i}]`).to.be.closeTo(wantB[i], 1e-6 * (1 + Math.abs(wantB[i]))));
    });
  }
});
