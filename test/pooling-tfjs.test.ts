// AveragePooling2D, GlobalAveragePooling2D and GlobalMaxPooling2D against TensorFlow.js
// (tfjs-layers on the cpu backend): forward outputs and tf.grads on random configurations, and
// models with these layers going both ways through the TensorFlow.js layers format.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { forEachBackend } from './helpers/backends';
import { randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface AvgCase { shape: number[]; pool: [number, number]; strides: [number, number]; padding: 'valid' | 'same' }

function avgCases(count: number, seed: number): AvgCase[] {
  const r = rng(seed), out: AvgCase[] = [];
  while (out.length < count) {
    const pool: [number, number] = [randomInt(r, 1, 4), randomInt(r, 1, 4)], strides: [number, number] = [randomInt(r, 1, 3), randomInt(r, 1, 3)];
    const shape = [randomInt(r, 1, 2), randomInt(r, 1, 9), randomInt(r, 1, 9), randomInt(r, 1, 21)];
    const padding = r() < 0.5 ? 'valid' : 'same';
    if (padding === 'valid' && (shape[1] < pool[0] || shape[2] < pool[1])) continue;
    out.push({ shape, pool, strides, padding });
  }
  return out;
}

/** tf.grads of sum(dy * f(x)) with respect to x. */
function tfjsGrad(f: (x: tf.Tensor4D) => tf.Tensor, x: ck.Tensor, dy: ck.Tensor): Float32Array {
  return tf.tidy(() => {
    const dyT = tf.tensor(dy.data, dy.shape as number[]);
    const g = tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(f(xt as tf.Tensor4D), dyT)))(tf.tensor(x.data, x.shape as number[]));
    return g.dataSync() as Float32Array;
  });
}

describe('pooling layers against TensorFlow.js', () => {
  before(tfjsReady);

  forEachBackend('forward and tf.grads', () => {
    avgCases(24, 515).forEach((c, i) => {
      it(`AveragePooling2D [${c.shape.join(', ')}] pool ${c.pool.join('x')} strides ${c.strides.join('x')} ${c.padding}`, () => {
        const x = new ck.Tensor(randomArray(size(c.shape), 40 + i), c.shape);
        const layer = new ck.AveragePooling2D({ poolSize: c.pool, strides: c.strides, padding: c.padding });
        const peer = tfl.layers.averagePooling2d({ poolSize: c.pool, strides: c.strides, padding: c.padding });
        const y = layer.forward(x);
        const expected = tf.tidy(() => (peer.apply(tf.tensor(x.data, c.shape)) as tf.Tensor).dataSync() as Float32Array);
        expectMatches(y.data, expected, 'forward');
        const dy = new ck.Tensor(randomArray(y.data.length, 90 + i), y.shape);
        // tfjs's cpu AvgPoolGrad divides every window's dy by the whole window, while its forward
        // (and TensorFlow's gradient) divides by the cells inside the image: with 'same' padding
        // its gradient is not that of its own forward, so convkit is checked against tf.grads
        // where no window is cut (valid), and against finite differences (avgpool2d.test.ts) always.
        if (c.padding === 'valid') {
          expectMatches(layer.backward(x, dy).dx.data, tfjsGrad((xt) => tf.avgPool(xt, c.pool, c.strides, c.padding), x, dy), 'dx');
        }
      });
    });

    [[2, 7, 7, 33], [1, 5, 3, 8], [3, 1, 4, 5]].forEach((shape, i) => {
      it(`GlobalAveragePooling2D and GlobalMaxPooling2D [${shape.join(', ')}]`, () => {
        const x = new ck.Tensor(randomArray(size(shape), 300 + i), shape);
        const dy = new ck.Tensor(randomArray(shape[0] * shape[3], 310 + i), [shape[0], shape[3]]);
        const cases: [ck.Layer, tfl.layers.Layer, (xt: tf.Tensor4D) => tf.Tensor][] = [
          [new ck.GlobalAveragePooling2D(), tfl.layers.globalAveragePooling2d({}), (xt) => tf.mean(xt, [1, 2])],
          [new ck.GlobalMaxPooling2D(), tfl.layers.globalMaxPooling2d({}), (xt) => tf.max(xt, [1, 2])],
        ];
        for (const [layer, peer, f] of cases) {
          const expected = tf.tidy(() => (peer.apply(tf.tensor(x.data, shape)) as tf.Tensor).dataSync() as Float32Array);
          expectMatches(layer.forward(x).data, expected, `${layer.constructor.name} forward`);
          expectMatches(layer.backward(x, dy).dx.data, tfjsGrad(f, x, dy), `${layer.constructor.name} dx`);
        }
      });
    });
  });

  forEachBackend('the TensorFlow.js layers format', () => {
    it('a tfjs model with AveragePooling2D, GlobalAveragePooling2D loads and predicts as tfjs does', async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [9, 8, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tfl.layers.averagePooling2d({ poolSize: [2, 1], strides: [1, 2], padding: 'valid' }),
          tfl.layers.globalAveragePooling2d({}),
          tfl.layers.dense({ units: 3 }),
        ],
      });
      const x = randomArray(2 * 9 * 8 * 3, 7);
      const loaded = await loadSequential(await tfjsArtifacts(model));
      expectMatches(loaded.forward(new ck.Tensor(x, [2, 9, 8, 3])).data, tfjsPredict(model, x, [2, 9, 8, 3]), 'loaded model');
      model.dispose();
    });

    it('a convkit model with the three layers saves for tfjs, and what tfjs writes back loads again', async () => {
      const layers = [
        new ck.AveragePooling2D({ poolSize: 2, strides: 1, padding: 'same' }),
        new ck.AveragePooling2D({ poolSize: [3, 2], strides: [1, 2], padding: 'valid' }),
        new ck.GlobalMaxPooling2D(),
      ];
      const model = new ck.Sequential(layers);
      const x = randomArray(2 * 6 * 5 * 4, 8), shape = [2, 6, 5, 4];
      const y = model.forward(new ck.Tensor(x, shape)).data;
      const artifacts = model.toArtifacts({ inputShape: [6, 5, 4] });
      const peer = await tfjsLoad(artifacts);
      expect(peer.layers.map((l) => l.getClassName())).to.deep.equal(['AveragePooling2D', 'AveragePooling2D', 'GlobalMaxPooling2D']);
      expectMatches(y, tfjsPredict(peer, x, shape), 'tfjs from toArtifacts()');
      const again = await loadSequential(await tfjsArtifacts(peer));
      expect(Array.from(again.forward(new ck.Tensor(x, shape)).data)).to.deep.equal(Array.from(y));
      peer.dispose();
    });

    it('keepdims is written as Keras writes it (tfjs-layers 4 ignores it) and read back', async () => {
      const model = new ck.Sequential([new ck.GlobalAveragePooling2D({ keepdims: true }), new ck.GlobalMaxPooling2D({ keepdims: true })]);
      const artifacts = model.toArtifacts({ inputShape: [3, 3, 2] });
      const layers = (artifacts.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
      expect(layers.map((l) => l.config.keepdims)).to.deep.equal([true, true]);
      const again = await loadSequential(artifacts);
      const x = new ck.Tensor(randomArray(2 * 3 * 3 * 2, 9), [2, 3, 3, 2]);
      expect(again.forward(x).shape).to.deep.equal([2, 1, 1, 2]);
      expect(Array.from(again.forward(x).data)).to.deep.equal(Array.from(model.forward(x).data));
    });

    it('refuses what Keras cannot say, naming the layer and option', () => {
      const explicit = new ck.Sequential([new ck.AveragePooling2D({ poolSize: 2, padding: [1, 0, 0, 1] })]);
      expect(() => explicit.toArtifacts({ inputShape: [4, 4, 1] })).to.throw(RangeError, /AveragePooling2D.*padding/);
      const onnx = new ck.Sequential([new ck.AveragePooling2D({ poolSize: 2, countIncludePad: true })]);
      expect(() => onnx.toArtifacts({ inputShape: [4, 4, 1] })).to.throw(RangeError, /countIncludePad/);
    });

    it('refuses channels_first configs', async () => {
      const topology = (className: string) => ({
        class_name: 'Sequential',
        config: { name: 's', layers: [{ class_name: className, config: { name: 'p', batch_input_shape: [null, 4, 4, 2], data_format: 'channels_first' } }] },
      });
      for (const className of ['AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D']) {
        let error: unknown = null;
        await loadSequential({ modelTopology: topology(className), weightSpecs: [], weightData: new ArrayBuffer(0) }).catch((e) => (error = e));
        expect(String(error), className).to.match(/data_format/);
      }
    });
  });
});
