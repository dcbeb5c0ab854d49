// Grouped Conv2D as a Keras layer (Keras writes `groups`; tfjs-layers 4.22's Conv2D has none, so
// TensorFlow.js's peer is tf.conv2d on each group's slice of the channels), read by loadModel and
// written by save, and compared with tfjs-core.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { conv2dOptions, kerasArtifacts, kerasTopology, layer } from './helpers/keras';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsReady } from './helpers/tfjs';

before(tfjsReady);

/** tf.conv2d of each group's channels with its filters, concatenated along the channels. */
function tfjsGrouped(x: Float32Array, shape: number[], kernel: Float32Array, k: [number, number], filters: number, groups: number,
  strides: number, padding: 'valid' | 'same', bias: Float32Array | null): Float32Array {
  return tf.tidy(() => {
    const cpg = shape[3] / groups, opg = filters / groups;
    const xs = tf.split(tf.tensor4d(x, shape as [number, number, number, number]), groups, 3);
    const ws = tf.split(tf.tensor4d(kernel, [k[0], k[1], cpg, filters]), groups, 3);
    let y = tf.concat(xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, strides, padding)), 3);
    if (bias) y = tf.add(y, tf.tensor1d(bias));
    expect(opg).to.be.above(0);
    return y.dataSync() as Float32Array;
  });
}

forEachBackend('grouped Conv2D read from Keras and against tfjs-core', () => {
  const r = rng(777);
  for (let i = 0; i < 8; i++) {
    const groups = randomInt(r, 2, 5), cpg = pick(r, [1, 2, 3, 7]), opg = pick(r, [1, 3, 16, 17]), k = randomInt(r, 1, 3);
    const strides = randomInt(r, 1, 2), padding = pick(r, ['valid', 'same'] as const), h = randomInt(r, k, 9), w = randomInt(r, k, 9);
    const c = groups * cpg, filters = groups * opg, n = randomInt(r, 1, 2);
    const label = `${n}x${h}x${w}x${c} groups ${groups} -> ${filters} k${k} s${strides} ${padding}`;
    it(label, async () => {
      const topology = kerasTopology([
        layer('InputLayer', 'input_1', { batch_input_shape: [null, h, w, c], sparse: false, ragged: false }),
        layer('Conv2D', 'conv2d', conv2dOptions(filters, k, { groups, strides: [strides, strides], padding })),
      ]);
      const specs = [
        { name: 'conv2d/kernel', shape: [k, k, cpg, filters], dtype: 'float32' },
        { name: 'conv2d/bias', shape: [filters], dtype: 'float32' },
      ];
      const artifacts = kerasArtifacts(topology, specs, 40 + i);
      const model = await loadSequential(artifacts);
      const x = randomArray(n * h * w * c, 60 + i), shape = [n, h, w, c];
      const kernel = randomArray(k * k * cpg * filters, 40 + i), bias = randomArray(filters, 41 + i);
      const expected = tfjsGrouped(x, shape, kernel, [k, k], filters, groups, strides, padding, bias);
      const y = model.forward(new ck.Tensor(x, shape)).data;
      expectMatches(y, expected, label, k * k * cpg * 4 * 2 ** -23);
      // Saved and read back: the same layer, the same bits.
      const saved = model.toArtifacts();
      const conv = (saved.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers.find((l) => l.class_name === 'Conv2D')!;
      expect(conv.config.groups).to.equal(groups);
      expect(saved.weightSpecs!.map((s) => s.shape)).to.deep.equal([[k, k, cpg, filters], [filters]]);
      expectExact((await loadSequential(saved)).forward(new ck.Tensor(x, shape)).data, y, 'read back');
    });
  }

  it("backward equals tf.grads of tfjs-core's per-group conv2d (groups run together and alone)", () => {
    for (const [groups, cpg, opg] of [[8, 3, 2], [3, 2, 40]]) {
      const [n, h, w, k] = [2, 6, 5, 3], c = groups * cpg, filters = groups * opg;
      const x = randomArray(n * h * w * c, 90 + groups), kernel = randomArray(k * k * cpg * filters, 91), bias = randomArray(filters, 92);
      const layer = new ck.Conv2D({ filters, kernelSize: k, groups, padding: 'same', kernel, bias });
      const y = layer.forward(new ck.Tensor(x, [n, h, w, c])), dy = randomArray(y.data.length, 93);
      const g = layer.backward(new ck.Tensor(x, [n, h, w, c]), new ck.Tensor(dy, [...y.shape]));
      const peer = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, bb: tf.Tensor) => {
          const xs = tf.split(a, groups, 3), ws = tf.split(b, groups, 3);
          const out = tf.add(tf.concat(xs.map((xg, i) => tf.conv2d(xg as tf.Tensor4D, ws[i] as tf.Tensor4D, 1, 'same')), 3), bb);
          return tf.sum(tf.mul(out, tf.tensor(dy, [...y.shape])));
        };
        return tf.grads(f)([tf.tensor4d(x, [n, h, w, c]), tf.tensor4d(kernel, [k, k, cpg, filters]), tf.tensor1d(bias)]).map((t) => t.dataSync() as Float32Array);
      });
      expectMatches(g.dx.data, peer[0], `dx, ${groups} groups`, 1e-5);
      expectMatches(g.kernel!, peer[1], `kernel, ${groups} groups`, 1e-5);
      expectMatches(g.bias!, peer[2], `bias, ${groups} groups`, 1e-5);
    }
  });

  it('writes no groups for an ungrouped Conv2D, as before', () => {
    const a = new ck.Sequential([new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 1 })]).toArtifacts({ inputShape: [5, 5, 2] });
    const layers = (a.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    expect(layers[0].config).to.not.have.property('groups');
  });
});
