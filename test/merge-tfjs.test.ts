// The merge layers against TensorFlow.js (tfjs-layers on the cpu backend): forward outputs of
// tf.layers.add / multiply / maximum / minimum / average / concatenate applied to tensors (and
// tf.sub for Subtract, a Keras layer tfjs-layers 4.22 lacks), gradients from tf.grads, and the
// Keras configs tfjs writes read and written back. tfjs's Minimum gradient does not sum over a
// broadcast input's spread axes (it throws on a shape mismatch), so minimum is compared on equal
// shapes; the float64 oracle and finite differences check its broadcast (merge.test.ts).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { LayerConfig } from '../lib/model/keras-config';
import { MERGE_CLASS_NAMES, mergeLayerConfig, readMergeLayer } from '../lib/model/merge-config';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsReady, tfl } from './helpers/tfjs';

const U = 2 ** -24;
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

type Name = 'add' | 'subtract' | 'multiply' | 'maximum' | 'minimum' | 'average' | 'concatenate';
const OURS: Record<Name, () => ck.MultiInputLayer> = {
  add: () => new ck.Add(), subtract: () => new ck.Subtract(), multiply: () => new ck.Multiply(), maximum: () => new ck.Maximum(),
  minimum: () => new ck.Minimum(), average: () => new ck.Average(), concatenate: () => new ck.Concatenate(),
};

/** The cases: equal shapes, a squeeze-and-excite gate, three inputs, odd channels. */
const CASES: [Name, number[][]][] = [
  ['add', [[2, 5, 7, 13], [2, 5, 7, 13]]],
  ['add', [[2, 4, 4, 9], [2, 1, 1, 9], [2, 4, 4, 9]]],
  ['subtract', [[3, 6, 5], [3, 1, 5]]],
  ['multiply', [[2, 7, 7, 33], [2, 1, 1, 33]]],
  ['multiply', [[1, 3, 3, 5], [1, 3, 3, 5], [1, 3, 3, 5]]],
  ['maximum', [[2, 6, 6, 17], [2, 6, 6, 17]]],
  ['minimum', [[2, 3, 4, 3], [2, 3, 4, 3]]],
  ['average', [[2, 5, 5, 7], [2, 5, 5, 7], [2, 1, 1, 7]]],
  ['concatenate', [[2, 6, 6, 5], [2, 6, 6, 11], [2, 6, 6, 3]]],
];

forEachBackend('merge layers against TensorFlow.js', () => {
  before(tfjsReady);

  for (const [name, shapes] of CASES) {
    it(`${name} of ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}: output and gradients equal tf.layers.${name} and tf.grads`, () => {
      const xs = shapes.map((s, i) => randomArray(size(s), 40 + i));
      const layer = OURS[name]();
      const y = layer.forward(xs.map((x, i) => new ck.Tensor(x, shapes[i])));
      const peer = (...ts: tf.Tensor[]) =>
        name === 'subtract' ? tf.sub(ts[0], ts[1]) : (tfl.layers as unknown as Record<Name, () => tfl.layers.Layer>)[name]().apply(ts) as tf.Tensor;
      const expected = tf.tidy(() => peer(...xs.map((x, i) => tf.tensor(x, shapes[i]))).dataSync());
      // Exact but for Average, which tfjs scales by 1/n where convkit divides by n: one rounding apart.
      expectMatches(y.data, expected, `${name} forward`, name === 'average' ? 2 * U : 0);

      const dy = randomArray(y.data.length, 9);
      const { dx } = layer.backward(xs.map((x, i) => new ck.Tensor(x, shapes[i])), new ck.Tensor(dy, y.shape));
      const grads = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => peer(...ts))(xs.map((x, i) => tf.tensor(x, shapes[i])), tf.tensor(dy, [...y.shape])).map((g) => g.dataSync()));
      // A gradient summed over k spread positions differs from tfjs's sum by at most (k - 1) u per term.
      dx.forEach((d, i) => {
        const k = size(y.shape) / size(shapes[i]);
        expectMatches(d.data, grads[i], `${name} d input ${i}`, Math.max(2, k) * 4 * U);
      });
    });
  }

  it('reads the Keras configs tfjs writes for each merge layer and writes them back as tfjs builds them', () => {
    for (const className of MERGE_CLASS_NAMES.filter((c) => c !== 'Subtract')) {
      const factory = (tfl.layers as unknown as Record<string, (c: object) => tfl.layers.Layer>)[className[0].toLowerCase() + className.slice(1)];
      const config = factory(className === 'Concatenate' ? { axis: 2 } : {}).getConfig();
      const snake = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
      const layer = readMergeLayer(new LayerConfig(className, String(config.name), snake))!;
      expect(layer.constructor.name).to.equal(className);
      if (className === 'Concatenate') expect((layer as ck.Concatenate).axis).to.equal(2);
      const written = mergeLayerConfig(layer, 'merged_1');
      expect(written.class_name).to.equal(className);
      const again = factory(written.config).getConfig();
      expect(again.name).to.equal('merged_1');
      if (className === 'Concatenate') expect(again.axis).to.equal(2);
    }
    // Subtract as Keras writes it (tfjs-layers has none).
    const sub = readMergeLayer(new LayerConfig('Subtract', 'subtract_1', { name: 'subtract_1', trainable: true, dtype: 'float32' }))!;
    expect(sub).to.be.instanceOf(ck.Subtract);
    expect(mergeLayerConfig(sub, 'subtract_1')).to.deep.equal({ class_name: 'Subtract', config: { name: 'subtract_1', trainable: true, dtype: 'float32' } });
    expect(() => readMergeLayer(new LayerConfig('Concatenate', 'c', { axis: 'x' }))).to.throw(TypeError, /expected integer for axis/);
    expect(() => readMergeLayer(new LayerConfig('Add', 'a', { axis: 1 }))).to.throw(RangeError, /option axis 1 is not supported/);
    expect(readMergeLayer(new LayerConfig('Dense', 'd', {}))).to.equal(null);
  });
});
