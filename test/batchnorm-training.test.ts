// BatchNormalization in training: the forward with the batch's mean and biased variance and the
// moving statistics' update (tfjs-layers' rule), its backward (dx, dgamma, dbeta), and the
// inference form's backward, against float64 oracles, central finite differences, and
// TensorFlow.js (training-mode apply, tf.grads); the same bits for 1 and 2 threads and every
// native ISA; fit with a BatchNormalization.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { inference64, training64, U } from './helpers/batchnorm-reference';
import { forEachBackend } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsReady, tfl } from './helpers/tfjs';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** A layer in fit's training mode for the body (trainableWeights enters it, endTraining leaves it). */
function training<T>(bn: ck.BatchNormalization, body: () => T): T {
  bn.trainableWeights();
  try {
    return body();
  } finally {
    bn.endTraining();
  }
}

function layer(c: number, seed: number, opts: ck.BatchNormalizationOptions = {}): ck.BatchNormalization {
  return new ck.BatchNormalization({
    gamma: randomArray(c, seed), beta: randomArray(c, seed + 1), movingMean: randomArray(c, seed + 2),
    movingVariance: Float32Array.from(randomArray(c, seed + 3), (v) => 1.25 + v), ...opts,
  });
}

describe('BatchNormalization training', function () {
  before(tfjsReady);

  forEachBackend('forward and backward', () => {
    const SHAPES = [[4, 3, 2, 5], [8, 17], [2, 3, 3, 33], [3, 1, 1, 4]];
    SHAPES.forEach((shape, k) => {
      const c = shape[shape.length - 1];
      it(`[${shape.join(', ')}]: the batch's statistics against float64, the moving ones updated as tfjs-layers does`, async () => {
        const bn = layer(c, 10 * k, { momentum: 0.9 }), x = new ck.Tensor(randomArray(size(shape), 10 * k + 5), shape);
        const before = bn.getWeights(), ref = training64(x.data, c, before.gamma!, before.beta!, bn.epsilon);
        bn.trainableWeights();
        const y = await bn.forwardAsyncAs(x, false);
        bn.endTraining();
        ref.y.forEach((v, i) => expect(Math.abs(y.data[i] - v), `y[${i}]`).to.be.at.most(ref.tol[i]));
        // moving - (moving - batch) * 0.1 in float32: each step rounded, the batch's statistic off by its sum's bound.
        const after = bn.getWeights(), m = x.size / c;
        for (let j = 0; j < c; j++) {
          const mm = before.movingMean![j] - (before.movingMean![j] - ref.mean[j]) * 0.1;
          const mv = before.movingVariance![j] - (before.movingVariance![j] - ref.variance[j]) * 0.1;
          expect(Math.abs(after.movingMean![j] - mm)).to.be.at.most(4 * U * (Math.abs(before.movingMean![j]) + Math.abs(ref.mean[j])) + 0.1 * (m + 2) * U * 2);
          expect(Math.abs(after.movingVariance![j] - mv)).to.be.at.most(4 * U * (Math.abs(before.movingVariance![j]) + ref.variance[j]) + 0.1 * (m + 4) * U * 8);
        }
      });

      it(`[${shape.join(', ')}]: dx, dgamma and dbeta against central finite differences`, () => {
        const bn = layer(c, 20 * k), x = new ck.Tensor(randomArray(size(shape), 20 * k + 5), shape);
        const dy = new ck.Tensor(randomArray(x.size, 20 * k + 6), shape), w = bn.getWeights();
        const g = training(bn, () => {
          bn.forwardAs(x, false);
          return bn.backward(x, dy);
        });
        const loss = () => dot(dy.data, training64(x.data, c, w.gamma!, w.beta!, bn.epsilon).y);
        expectNear(g.dx.data, finiteDifferences(x.data, loss), 'dx');
        expectNear(g.gamma!, finiteDifferences(w.gamma!, loss), 'dgamma');
        expectNear(g.beta!, finiteDifferences(w.beta!, loss), 'dbeta');
      });
    });

    it('outside fit the backward is the inference form\'s (moving statistics constant), against finite differences', async () => {
      const c = 6, shape = [3, 2, 2, c], bn = layer(c, 50), x = new ck.Tensor(randomArray(size(shape), 51), shape);
      const dy = new ck.Tensor(randomArray(x.size, 52), shape), w = bn.getWeights();
      const g = await bn.backwardAsync(x, dy);
      const loss = () => dot(dy.data, inference64(x.data, c, { gamma: w.gamma!, beta: w.beta!, movingMean: w.movingMean!, movingVariance: w.movingVariance! }, bn.epsilon).y);
      expectNear(g.dx.data, finiteDifferences(x.data, loss), 'dx');
      expectNear(g.gamma!, finiteDifferences(w.gamma!, loss), 'dgamma');
      expectNear(g.beta!, finiteDifferences(w.beta!, loss), 'dbeta');
      expect(bits(bn.backward(x, dy).dx.data)).to.equal(bits(g.dx.data));
    });

    it('scale and center false: no gamma or beta gradient, the normalization alone', () => {
      const c = 3, shape = [5, c], bn = new ck.BatchNormalization({ scale: false, center: false }), x = new ck.Tensor(randomArray(15, 60), shape);
      const dy = new ck.Tensor(randomArray(15, 61), shape);
      const g = training(bn, () => (bn.forwardAs(x, false), bn.backward(x, dy)));
      expect(g).to.have.keys(['dx']);
      expectNear(g.dx.data, finiteDifferences(x.data, () => dot(dy.data, training64(x.data, c, null, null, bn.epsilon).y)), 'dx');
    });

    it('the same bits for 1 and 2 threads and on every ISA of this backend (several chunks of rows)', () => {
      const c = 24, shape = [10, 20, 20, c], x = new ck.Tensor(randomArray(size(shape), 70), shape), dy = new ck.Tensor(randomArray(size(shape), 71), shape);
      const run = () => {
        const bn = layer(c, 72);
        return training(bn, () => {
          const y = bn.forwardAs(x, false), g = bn.backward(x, dy);
          return [y.data, g.dx.data, g.gamma!, g.beta!, bn.getWeights().movingVariance!].map(bits).join();
        });
      };
      const b = backend(), original = { threads: ck.getNumThreads(), isa: b.info().isa };
      try {
        ck.setNumThreads(1);
        const one = run();
        ck.setNumThreads(2);
        expect(run(), '2 threads').to.equal(one);
        for (const isa of b.info().isas) {
          b.selectIsa(isa);
          expect(run(), isa).to.equal(one);
        }
      } finally {
        ck.setNumThreads(original.threads);
        b.selectIsa(original.isa);
      }
    });

    it('against tfjs-layers: inference, the training-mode forward, the moving statistics after it, and tf.grads', () => {
      const c = 5, shape = [3, 4, 2, c], bn = layer(c, 80, { momentum: 0.8, epsilon: 0.01 });
      const x = new ck.Tensor(randomArray(size(shape), 81), shape), dy = new ck.Tensor(randomArray(size(shape), 82), shape);
      const w = bn.getWeights();
      const peer = tfl.layers.batchNormalization({ momentum: 0.8, epsilon: 0.01 });
      peer.build(shape);
      peer.setWeights([w.gamma!, w.beta!, w.movingMean!, w.movingVariance!].map((a) => tf.tensor(a)));
      const xt = tf.tensor(x.data, shape);
      expectMatches(bn.forward(x).data, (peer.apply(xt) as tf.Tensor).dataSync() as Float32Array, 'inference');
      const g = training(bn, () => {
        expectMatches(bn.forwardAs(x, false).data, (peer.apply(xt, { training: true }) as tf.Tensor).dataSync() as Float32Array, 'training forward');
        return bn.backward(x, dy);
      });
      const moved = peer.getWeights().map((t) => t.dataSync() as Float32Array);
      expectMatches(bn.getWeights().movingMean!, moved[2], 'moving mean');
      expectMatches(bn.getWeights().movingVariance!, moved[3], 'moving variance');
      const expected = tf.tidy(() => {
        const f = (xs: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
          const { mean, variance } = tf.moments(xs, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(xs, mean, variance, beta, gamma, 0.01), tf.tensor(dy.data, shape)));
        };
        return tf.grads(f)([xt, tf.tensor(w.gamma!), tf.tensor(w.beta!)]).map((t) => t.dataSync() as Float32Array);
      });
      expectMatches(g.dx.data, expected[0], 'dx');
      expectMatches(g.gamma!, expected[1], 'dgamma');
      expectMatches(g.beta!, expected[2], 'dbeta');
      xt.dispose();
    });

    it('fit trains gamma and beta and moves the moving statistics; the trained model runs folded', async () => {
      const x = new ck.Tensor(randomArray(16 * 6 * 6 * 2, 90), [16, 6, 6, 2]);
      const labels = Int32Array.from({ length: 16 }, (_, i) => i % 3);
      const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 1 }), bn = new ck.BatchNormalization();
      const model = new ck.Sequential([conv, bn, new ck.Flatten(), new ck.Dense({ units: 3, activation: 'softmax', seed: 2 })]);
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const { history } = await model.fit(x, labels, { epochs: 2, batchSize: 8, seed: 3 });
      history.loss.forEach((l) => expect(Number.isFinite(l)).to.equal(true));
      const w = bn.getWeights();
      expect([...w.gamma!].some((v) => v !== 1), 'gamma trained').to.equal(true);
      expect([...w.movingMean!].some((v) => v !== 0), 'moving mean moved').to.equal(true);
      // Folded (Sequential) against layer by layer: both within a few units of rounding of each other.
      const chained = model.layers.reduce((t, l) => l.forward(t), x).data;
      expectMatches(model.forward(x).data, chained, 'folded vs layer by layer', 1e-5);
    });

    it('fit refuses a BatchNormalization with an activation, naming it', async () => {
      const model = new ck.Sequential([new ck.Dense({ units: 3 }), new ck.BatchNormalization({ activation: 'relu' })]);
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      let error: unknown = null;
      await model.fit(new ck.Tensor(new Float32Array(8), [2, 4]), new ck.Tensor(new Float32Array(6), [2, 3])).catch((e) => (error = e));
      expect(String(error)).to.match(/BatchNormalization without activation for training but its activation is 'relu'/);
    });
  });
});
