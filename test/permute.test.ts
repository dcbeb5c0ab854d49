// Permute against an index oracle on every backend and thread count (exact: it moves floats), in
// a Sequential, its backward (the inverse permutation) against tf.grads of tf.transpose, and
// through the model format both ways with TensorFlow.js.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachThreadCount } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

/** x [n, ...s] permuted by Keras's 1-based dims, index by index. */
function permuteRef(x: Float32Array, shape: number[], dims: number[]): Float32Array {
  const s = shape.slice(1), out = new Float32Array(x.length), os = dims.map((d) => s[d - 1]);
  const size = s.reduce((a, b) => a * b, 1), strides = s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let b = 0; b < shape[0]; b++)
    for (let o = 0; o < size; o++) {
      let rest = o, src = 0;
      for (let k = 0; k < os.length; k++) {
        const step = os.slice(k + 1).reduce((a, v) => a * v, 1), i = Math.floor(rest / step);
        rest %= step;
        src += i * strides[dims[k] - 1];
      }
      out[b * size + o] = x[b * size + src];
    }
  return out;
}

const CASES: [number[], number[]][] = [
  [[2, 5, 7, 3], [2, 1, 3]], [[1, 4, 6, 17], [3, 1, 2]], [[3, 9, 2, 33], [1, 3, 2]], [[2, 3, 4, 5], [3, 2, 1]],
  [[1, 64, 48, 32], [2, 3, 1]], [[4, 7, 9], [2, 1]], [[3, 11], [1]], [[2, 6, 5, 4], [1, 2, 3]],
];

forEachBackend('Permute', () => {
  before(tfjsReady);
  for (const [shape, dims] of CASES) {
    it(`${shape.join('x')} by [${dims.join(', ')}]: forward at 1 and 2 threads, backward as tf.grads`, async () => {
      const x = randomArray(shape.reduce((a, b) => a * b, 1), 1), layer = new ck.Permute({ dims }), input = new ck.Tensor(x, shape);
      const expected = permuteRef(x, shape, dims);
      forEachThreadCount(() => {
        const y = layer.forward(input);
        expect(y.shape).to.deep.equal([shape[0], ...dims.map((d) => shape[d])]);
        expectExact(y.data, expected, 'forward');
      });
      expectExact((await layer.forwardAsync(input)).data, expected, 'forwardAsync');
      const yShape = layer.outputShape(shape), dy = randomArray(x.length, 2);
      const g = layer.backward(input, new ck.Tensor(dy, yShape));
      const tfDx = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, [0, ...dims]), tf.tensor(dy, yShape))))(tf.tensor(x, shape)).dataSync());
      expectExact(g.dx.data, tfDx as Float32Array, 'dx');
      expectExact((await layer.backwardAsync(input, new ck.Tensor(dy, yShape))).dx.data, g.dx.data, 'async dx');
    });
  }

  it('inside a Sequential, and a tfjs model with Permute loads and saves both ways', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.permute({ inputShape: [4, 5, 3], dims: [3, 1, 2] }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
    const x = randomArray(2 * 60, 3), expected = tfjsPredict(model, x, [2, 4, 5, 3]);
    const loaded = await loadSequential(await tfjsArtifacts(model));
    expectMatches(loaded.forward(new ck.Tensor(x, [2, 4, 5, 3])).data, expected, 'convkit');
    expectMatches((await loaded.forwardAsync(new ck.Tensor(x, [2, 4, 5, 3]))).data, expected, 'convkit async');
    expectMatches(tfjsPredict(await tfjsLoad(loaded.toArtifacts()), x, [2, 4, 5, 3]), expected, 'tfjs');
  });

  it('names what it refuses', () => {
    expect(() => new ck.Permute({ dims: [1, 1] })).to.throw(TypeError, /dims/);
    expect(() => new ck.Permute({ dims: [0, 1] })).to.throw(TypeError, /dims/);
    expect(() => new ck.Permute({ dims: [2, 1] }).forward(new ck.Tensor(new Float32Array(8), [1, 2, 2, 2]))).to.throw(RangeError, /rank 3/);
  });
});
