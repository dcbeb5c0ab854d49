// DepthwiseConv2D's backward (dx, dW, db in one backend call) against central finite differences
// of the float64 oracle and against TensorFlow.js's tf.grads, on both backends and each kernel
// build; 1 and 2 threads give the same bits, and async the same as sync.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow, type Padding } from '../lib/shape';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { depthwiseRef } from './helpers/depthwise-reference';
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
