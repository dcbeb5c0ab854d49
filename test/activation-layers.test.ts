// The standalone activation layers (ActivationLayer, ReLU, LeakyReLU, ELU, Softmax): forward and
// backward against float64 oracles written here and against tfjs-layers' layers of the same
// names, on both backends, each kernel build, 1 and 2 threads giving the same bits, odd shapes;
// inside Sequential; in the Keras model format; their options refused by name.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { backend } from '../lib/backends/select';
import { activationNames } from '../lib/activation';
import { derivativeOracle, forwardOracle } from './helpers/activation-oracle';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences, STEP } from './helpers/finite-differences';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

/** Keras's ReLU in float64. */
function reluRef(z: number, max: number, slope: number, threshold: number): number {
  if (Number.isNaN(z)) return z;
  return z >= max ? max : z >= threshold ? z : slope === 0 ? 0 : slope * (z - threshold);
}

interface Case {
  title: string;
  make(): ck.Layer;
  f(z: number): number;
  d(z: number): number;
  /** Points where f' jumps: left out of the derivative checks. */
  kinks: number[];
  peer?: () => tfl.layers.Layer;
}

// The parameters are float32, as in Keras and tfjs: the oracles take them rounded.
const f32 = Math.fround;

const reluCase = (maxValue: number | null, negativeSlope: number, threshold: number): Case => {
  const max = f32(maxValue ?? Infinity), slope = f32(negativeSlope), t = f32(threshold);
  return {
    title: `ReLU({ maxValue: ${maxValue}, negativeSlope: ${negativeSlope}, threshold: ${threshold} })`,
    make: () => new ck.ReLU({ maxValue, negativeSlope, threshold }),
    f: (z) => reluRef(z, max, slope, t),
    d: (z) => (z >= max ? 0 : z >= t ? 1 : slope),
    kinks: [max, t],
    ...(negativeSlope === 0 && threshold === 0 ? { peer: () => tfl.layers.reLU({ maxValue: maxValue ?? undefined }) } : {}),
  };
};

const CASES: Case[] = [
  reluCase(null, 0, 0), reluCase(6, 0, 0), reluCase(2.5, 0.1, -0.5), reluCase(null, 0.3, 1),
  { title: 'LeakyReLU() (alpha 0.3)', make: () => new ck.LeakyReLU(), f: (z) => (z > 0 ? z : f32(0.3) * z), d: (z) => (z > 0 ? 1 : f32(0.3)), kinks: [0], peer: () => tfl.layers.leakyReLU() },
  { title: 'LeakyReLU({ alpha: 0.05 })', make: () => new ck.LeakyReLU({ alpha: 0.05 }), f: (z) => (z > 0 ? z : f32(0.05) * z), d: (z) => (z > 0 ? 1 : f32(0.05)), kinks: [0], peer: () => tfl.layers.leakyReLU({ alpha: 0.05 }) },
  // tfjs-layers' ELU refuses an alpha other than 1: 1.7 is checked against the oracle alone.
  { title: 'ELU({ alpha: 1.7 })', make: () => new ck.ELU({ alpha: 1.7 }), f: (z) => (z > 0 ? z : f32(1.7) * Math.expm1(z)), d: (z) => (z > 0 ? 1 : f32(1.7) * Math.exp(z)), kinks: [0] },
  { title: 'ELU()', make: () => new ck.ELU(), f: (z) => (z > 0 ? z : Math.expm1(z)), d: (z) => (z > 0 ? 1 : Math.exp(z)), kinks: [], peer: () => tfl.layers.elu() },
  ...activationNames.filter((a) => a !== 'softmax').map((a): Case => ({
    title: `ActivationLayer({ activation: '${a}' })`, make: () => new ck.ActivationLayer({ activation: a }), f: forwardOracle[a], d: derivativeOracle[a],
    kinks: [0, 6, -2.5, 2.5, -3, 3],
  })),
];

/** Half an ulp of the result plus the float64 error (a hair more at ties); exact matches and infinities pass. */
function expectClose(actual: number, e: number, label: string, scale = 0): void {
  if (Object.is(actual, e) || actual === e || (Number.isNaN(actual) && Number.isNaN(e))) return;
  const tol = (Math.abs(e) + scale) * (2 ** -24 + 1e-9) * 1.01 + 2 ** -149;
  if (!(Math.abs(actual - e) <= tol)) expect.fail(`${label}: got ${actual}, exact ${e}, tol ${tol}`);
}

forEachBackend('standalone activation layers', () => {
  const shape = [2, 5, 3, 7];
  const x = new ck.Tensor(Float32Array.from(randomArray(210, 1), (v, i) => (i % 5 === 0 ? v * 40 : v * 4)), shape);
  const dy = new ck.Tensor(randomArray(210, 2), shape);

  for (const c of CASES) {
    it(`${c.title}: forward and backward against float64, every build and thread count giving the same bits`, async () => {
      const layer = c.make();
      expect(layer.outputShape(shape)).to.deep.equal(shape);
      let oneThread: number[][] = [];
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = layer.forward(x).data, dx = layer.backward(x, dy).dx.data;
          if (threads === 1) oneThread = [Array.from(y), Array.from(dx)];
          else expect([Array.from(y), Array.from(dx)], `${isa}: 2 threads`).to.deep.equal(oneThread);
          x.data.forEach((z, i) => expectClose(y[i], c.f(z), `${c.title} f(${z}) [${isa}, ${threads}]`));
          x.data.forEach((z, i) => {
            if (c.kinks.includes(z)) return;
            // dx reads x: its derivative is f'(x), rounded once (a softplus-style f'(f(x)) in float64 too).
            expectClose(dx[i], dy.data[i] * c.d(z), `${c.title} f'(${z}) [${isa}, ${threads}]`, Math.abs(dy.data[i]) * 1e-7);
          });
        }),
      );
      expect(Array.from((await layer.forwardAsync(x)).data)).to.deep.equal(Array.from(layer.forward(x).data));
      expect(Array.from((await layer.backwardAsync(x, dy)).dx.data)).to.deep.equal(Array.from(layer.backward(x, dy).dx.data));
    });
  }

  it('Softmax() over the last axis of rows, forward and backward against float64', () => {
    const z = new ck.Tensor(Float32Array.from(randomArray(3 * 4 * 7, 3), (v) => v * 9), [3, 4, 7]), g = new ck.Tensor(randomArray(84, 4), [3, 4, 7]);
    const layer = new ck.Softmax();
    forEachThreadCount((threads) => {
      const y = layer.forward(z).data, dx = layer.backward(z, g).dx.data;
      for (let r = 0; r < 12; r++) {
        const row = Array.from(z.data.subarray(r * 7, r * 7 + 7)), most = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - most), 0), p = row.map((v) => Math.exp(v - most) / sum);
        const gy = Array.from(g.data.subarray(r * 7, r * 7 + 7)), d = gy.reduce((s, v, j) => s + v * p[j], 0);
        p.forEach((v, j) => expectClose(y[r * 7 + j], v, `softmax row ${r} [${threads}]`));
        // dx from the float32 y: each y_i within 2^-24 of its value, so dx within |dy| 2^-23 of it.
        p.forEach((v, j) => expectClose(dx[r * 7 + j], v * (gy[j] - d), `softmax' row ${r} [${threads}]`, 4 * Math.max(...gy.map(Math.abs))));
      }
    });
  });

  it('every layer\'s dx against central finite differences of its float64 oracle, off the kinks', () => {
    const z = Float32Array.from(randomArray(40, 5), (v) => v * 7), g = randomArray(40, 6);
    for (const c of CASES) {
      const far = Float32Array.from(z.filter((v) => c.kinks.every((k) => Math.abs(v - k) > 2 * STEP)));
      const dx = c.make().backward(new ck.Tensor(far, [far.length, 1]), new ck.Tensor(g.subarray(0, far.length), [far.length, 1])).dx.data;
      const loss = () => dot(g.subarray(0, far.length), Float64Array.from(far, c.f));
      expectNear(dx, finiteDifferences(far, loss), c.title);
    }
  });

  it('inside Sequential: forward and forwardAsync equal the layers run one by one', async () => {
    const layers = [
      new ck.Conv2D({ filters: 5, kernelSize: 3, padding: 'same', kernel: randomArray(3 * 3 * 7 * 5, 10) }), new ck.LeakyReLU(),
      new ck.MaxPool2D(), new ck.ActivationLayer({ activation: 'gelu' }), new ck.Flatten(), new ck.Dense({ units: 6, kernel: randomArray(2 * 1 * 5 * 6, 11) }),
      new ck.Softmax(),
    ];
    let y = x;
    for (const l of layers) y = l.forward(y);
    const model = new ck.Sequential(layers);
    expect(Array.from(model.forward(x).data)).to.deep.equal(Array.from(y.data));
    expect(Array.from((await model.forwardAsync(x)).data)).to.deep.equal(Array.from(y.data));
  });

  it('the backend checks the arrays and params of the activation op again (no kernel runs on a wrong length)', async () => {
    const b = backend(), f = (n: number) => new Float32Array(n);
    const p = { m: 2, n: 3, inner: 1, activation: ck.Activation.elu, alpha: 1, maxValue: Infinity, threshold: 0 };
    expect(b.activationBackward(f(6), f(6), p)).to.have.length(6);
    expect(() => b.activationBackward(f(5), f(6), p)).to.throw(RangeError, /x/);
    expect(() => b.activationBackward(f(6), f(7), p)).to.throw(RangeError, /dy/);
    expect(() => b.activationBackward(f(6), f(6), { ...p, m: 0 })).to.throw(RangeError, /m/);
    expect(() => b.activationBackward(f(6), f(6), { ...p, activation: 99 })).to.throw(RangeError, /activation/);
    const op = b.createOperator({ op: 'activation', params: p });
    expect(op.reshape(p)).to.equal(6);
    expect(() => op.run(f(5))).to.throw(RangeError);
    expect(Array.from(op.run(Float32Array.from([-1, 0, 1, 2, -3, 4])))).to.deep.equal(Array.from(Float32Array.from([Math.expm1(-1), 0, 1, 2, Math.expm1(-3), 4])));
    op.release();
  });

  it('options are validated, naming the option', () => {
    expect(() => new ck.ReLU({ negativeSlope: -1 })).to.throw(RangeError, /negativeSlope/);
    expect(() => new ck.ReLU({ maxValue: -2 })).to.throw(RangeError, /maxValue/);
    expect(() => new ck.ReLU({ threshold: NaN })).to.throw(RangeError, /threshold/);
    expect(() => new ck.LeakyReLU({ alpha: '0.2' as unknown as number })).to.throw(TypeError, /alpha/);
    expect(() => new ck.ELU({ alpha: Infinity })).to.throw(RangeError, /alpha/);
    expect(() => new ck.Softmax({ axis: [1, 2] })).to.throw(RangeError, /axis/);
    expect(() => new ck.ActivationLayer({ activation: 'swiglu' as ck.ActivationName })).to.throw(RangeError, /activation/);
    expect(() => new ck.LeakyReLU().forward(new ck.Tensor(new Float32Array(3), [3]))).to.throw(RangeError, /rank/);
  });
});

describe('standalone activation layers against tfjs-layers (cpu backend)', () => {
  before(tfjsReady);
  const z = Float32Array.from(randomArray(6 * 11, 12), (v) => v * 8);
  for (const c of CASES.filter((q) => q.peer)) {
    it(`${c.title}: forward and tf.grads`, () => {
      const peer = c.peer!(), t = tf.tensor2d(z, [6, 11]);
      const expected = (peer.apply(t) as tf.Tensor).dataSync() as Float32Array;
      const dExpected = tf.grads((v: tf.Tensor) => peer.apply(v) as tf.Tensor)([t])[0].dataSync() as Float32Array;
      const layer = c.make(), x = new ck.Tensor(z, [6, 11]);
      expectMatches(layer.forward(x).data, expected, c.title, 1e-6);
      expectMatches(layer.backward(x, new ck.Tensor(new Float32Array(66).fill(1), [6, 11])).dx.data, dExpected, `${c.title}'`, 1e-6);
    });
  }
});

forEachBackend('standalone activation layers in the Keras model format', () => {
  before(tfjsReady);
  it('save writes ReLU, LeakyReLU, ELU, Activation and Softmax layers that tfjs and convkit load back', async () => {
    // (tfjs-layers loads an ELU only with alpha 1; convkit reads any.)
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 4, kernelSize: 3, kernel: randomArray(3 * 3 * 3 * 4, 13), bias: randomArray(4, 14) }),
      new ck.LeakyReLU(), new ck.ReLU({ maxValue: 1.5 }), new ck.MaxPool2D(), new ck.ELU(),
      new ck.ActivationLayer({ activation: 'tanh' }), new ck.Flatten(), new ck.Dense({ units: 3, kernel: randomArray(2 * 2 * 4 * 3, 15) }), new ck.Softmax(),
    ]);
    const input = new ck.Tensor(randomArray(2 * 7 * 7 * 3, 16).map((v) => v * 3), [2, 7, 7, 3]);
    const y = model.forward(input).data;
    const artifacts = model.toArtifacts({ inputShape: [7, 7, 3] });
    const classes = (artifacts.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name);
    expect(classes).to.deep.equal(['Conv2D', 'LeakyReLU', 'ReLU', 'MaxPooling2D', 'ELU', 'Activation', 'Flatten', 'Dense', 'Softmax']);
    const again = await loadSequential(artifacts);
    expect(Array.from(again.forward(input).data)).to.deep.equal(Array.from(y));
    const peer = await tfjsLoad(artifacts);
    expectMatches(y, tfjsPredict(peer, input.data, [2, 7, 7, 3]), 'tfjs', 1e-5);
  });
});
