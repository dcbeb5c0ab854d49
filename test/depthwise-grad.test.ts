// DepthwiseConv2D's backward (dx, dW, db in one backend call) against central finite differences
// of the float64 oracle and against TensorFlow.js's tf.grads, on both backends and each kernel
// build; 1 and 2 threads give the same bits, and async the same as sync.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow, type Padding } from '../lib/shape';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { depthwiseRef } from '../suite/reference';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsReady } from './helpers/tfjs';

before(tfjsReady);

interface Case {
  n: number; h: number; w: number; c: number; m: number; k: [number, number]; s: number; d: number; padding: Padding;
  activation: 'linear' | 'relu' | 'sigmoid' | 'tanh'; useBias: boolean;
}

function cases(count: number, seed: number, activations: Case['activation'][]): Case[] {
  const r = rng(seed), out: Case[] = [];
  while (out.length < count) {
    const d = pick(r, [1, 1, 2]), s = d > 1 ? 1 : randomInt(r, 1, 3);
    const c: Case = {
      n: randomInt(r, 1, 2), h: randomInt(r, 3, 7), w: randomInt(r, 3, 7), c: randomInt(r, 1, 19), m: randomInt(r, 1, 3),
      k: [randomInt(r, 1, 3), randomInt(r, 1, 3)], s, d, padding: pick(r, ['valid', 'same', [1, 0, 0, 2]] as Padding[]),
      activation: pick(r, activations), useBias: r() < 0.7,
    };
    if (c.h + 3 < (c.k[0] - 1) * d + 1 || c.w + 3 < (c.k[1] - 1) * d + 1) continue;
    const win = resolveWindow(c.k, [s, s], [d, d], c.padding, c.h, c.w);
    if (c.h + win.pt + win.pb >= (c.k[0] - 1) * d + 1 && c.w + win.pl + win.pr >= (c.k[1] - 1) * d + 1) out.push(c);
  }
  return out;
}

const label = (c: Case) => `${c.n}x${c.h}x${c.w}x${c.c} m${c.m} k${c.k} s${c.s} d${c.d} ${JSON.stringify(c.padding)} ${c.activation}${c.useBias ? '' : ' no bias'}`;

function layerOf(c: Case, kernel: Float32Array, bias: Float32Array): ck.DepthwiseConv2D {
  return new ck.DepthwiseConv2D({
    kernelSize: c.k, strides: c.s, dilationRate: c.d, padding: c.padding, depthMultiplier: c.m, activation: c.activation, useBias: c.useBias,
    kernel, ...(c.useBias ? { bias } : {}),
  });
}

const squash = { linear: (v: number) => v, relu: (v: number) => Math.max(0, v), sigmoid: (v: number) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh };

forEachBackend('DepthwiseConv2D gradients against finite differences', () => {
  // Linear, sigmoid and tanh: smooth, so the central difference is within STEP^2 of the derivative.
  cases(14, 808, ['linear', 'sigmoid', 'tanh']).forEach((c, i) => {
    it(label(c), async () => {
      const shape = [c.n, c.h, c.w, c.c], oc = c.c * c.m;
      const x = randomArray(c.n * c.h * c.w * c.c, 10 + i), kernel = randomArray(c.k[0] * c.k[1] * oc, 20 + i);
      const bias = c.useBias ? randomArray(oc, 30 + i) : new Float32Array(oc);
      const win = resolveWindow(c.k, [c.s, c.s], [c.d, c.d], c.padding, c.h, c.w);
      const layer = layerOf(c, kernel, bias);
      const y = layer.forward(new ck.Tensor(x, shape));
      const dy = randomArray(y.data.length, 40 + i);
      const loss = () => dot(dy, depthwiseRef(x, shape, kernel, c.useBias ? bias : null, c.m, win, false).data.map(squash[c.activation]));
      const fd = { dx: finiteDifferences(x, loss), kernel: finiteDifferences(kernel, loss), bias: finiteDifferences(bias, loss) };
      let g!: ck.Gradients;
      // The forward under the derivative runs on each build's kernels: the same bits within one build.
      forEachIsa((isa) => {
        let first: ck.Gradients | null = null;
        forEachThreadCount((threads) => {
          g = layer.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, y.shape));
          expectNear(g.dx.data, fd.dx, `dx [${isa}]`);
          expectNear(g.kernel!, fd.kernel, `kernel [${isa}]`);
          if (c.useBias) expectNear(g.bias!, fd.bias, `bias [${isa}]`);
          else expect(g.bias).to.equal(undefined);
          if (first) {
            expectExact(g.dx.data, first.dx.data, `dx [${isa}, ${threads} threads]`);
            expectExact(g.kernel!, first.kernel!, `dW [${isa}, ${threads} threads]`);
          }
          first = g;
        });
      });
      g = layer.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, y.shape));
      const later = await layer.backwardAsync(new ck.Tensor(x, shape), new ck.Tensor(dy, y.shape));
      expectExact(later.dx.data, g.dx.data, 'async dx');
      expectExact(later.kernel!, g.kernel!, 'async dW');
    });
  });
});

forEachBackend('DepthwiseConv2D gradients against tf.grads', () => {
  // tfjs has no gradient of a dilated depthwise convolution (it throws): dilation 1 here, the
  // finite differences above cover dilation.
  cases(10, 909, ['linear', 'relu', 'sigmoid']).map((c) => ({ ...c, d: 1 })).forEach((c, i) => {
    it(label(c), () => {
      const shape = [c.n, c.h, c.w, c.c], oc = c.c * c.m;
      const x = randomArray(c.n * c.h * c.w * c.c, 50 + i), kernel = randomArray(c.k[0] * c.k[1] * oc, 60 + i), bias = randomArray(oc, 70 + i);
      const layer = layerOf(c, kernel, bias);
      const y = layer.forward(new ck.Tensor(x, shape));
      const dy = randomArray(y.data.length, 80 + i);
      const g = layer.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, y.shape));
      const win = resolveWindow(c.k, [c.s, c.s], [c.d, c.d], c.padding, c.h, c.w);
      const expected = tf.tidy(() => {
        const loss = (...v: tf.Tensor[]) => {
          const padded = tf.pad(v[0] as tf.Tensor4D, [[0, 0], [win.pt, win.pb], [win.pl, win.pr], [0, 0]]);
          let z: tf.Tensor = tf.depthwiseConv2d(padded, v[1] as tf.Tensor4D, c.s, 'valid', 'NHWC', c.d);
          if (c.useBias) z = tf.add(z, v[2]);
          const a = c.activation === 'relu' ? tf.relu(z) : c.activation === 'sigmoid' ? tf.sigmoid(z) : z;
          return tf.sum(tf.mul(a, tf.tensor(dy, y.shape as number[])));
        };
        const inputs = [tf.tensor(x, shape), tf.tensor(kernel, [...c.k, c.c, c.m]), ...(c.useBias ? [tf.tensor(bias)] : [])];
        return tf.grads(loss)(inputs).map((t) => t.dataSync() as Float32Array);
      });
      // Sums of at most 9 * 3 products of values below 1 (sigmoid's derivative below 1/4).
      const tol = 64 * 2 ** -23;
      expectMatches(g.dx.data, expected[0], `${label(c)} dx`, tol);
      expectMatches(g.kernel!, expected[1], `${label(c)} kernel`, tol * c.n * c.h * c.w);
      if (c.useBias) expectMatches(g.bias!, expected[2], `${label(c)} bias`, tol * c.n * c.h * c.w);
    });
  });
});

forEachBackend('DepthwiseConv2D in training', () => {
  it('Sequential backward chains through it (dx equals the layer-by-layer chain); fit learns a depthwise -> pointwise -> Dense model', async () => {
    const r = rng(5), n = 48, x = new Float32Array(n * 6 * 6 * 2), labels = new Int32Array(n);
    // Class 0: a bright 2x2 blob in channel 0 top-left; class 1: in channel 1 bottom-right.
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 72; p++) x[i * 72 + p] = 0.2 * r();
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) x[i * 72 + ((labels[i] ? 3 : 1) + dy) * 12 + ((labels[i] ? 3 : 1) + dx) * 2 + labels[i]] += 1;
    }
    const make = () => new ck.Sequential([
      new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'relu', seed: 1 }),
      new ck.Conv2D({ filters: 4, kernelSize: 1, activation: 'relu', seed: 2 }),
      new ck.MaxPool2D({ poolSize: 3 }),
      new ck.Flatten(),
      new ck.Dense({ units: 2, activation: 'softmax', seed: 3 }),
    ]);
    const model = make(), xs = new ck.Tensor(x, [n, 6, 6, 2]);
    const dy = new ck.Tensor(randomArray(n * 2, 9), [n, 2]);
    const g = model.backward(xs, dy);
    let d = dy;
    const inputs = [xs];
    for (const l of model.layers.slice(0, -1)) inputs.push(l.forward(inputs[inputs.length - 1]));
    for (let i = model.layers.length - 1; i >= 0; i--) d = model.layers[i].backward(inputs[i], d).dx;
    expectExact(g.dx.data, d.data, 'Sequential dx');
    expect(g.grads[0].kernel!.length).to.equal(3 * 3 * 2 * 2);
    model.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: 'sparseCategoricalCrossentropy' });
    const { history } = await model.fit(xs, labels, { epochs: 25, batchSize: 16, seed: 3, verbose: 0 });
    expect(history.loss[24]).to.be.below(history.loss[0] / 4);
    expect(model.evaluate(xs, labels).accuracy).to.equal(1);
  });
});
