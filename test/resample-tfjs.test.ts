// Conv2DTranspose and UpSampling2D against TensorFlow.js (tfjs-layers 4, CPU backend): models
// tfjs builds and saves load in convkit and predict what tfjs predicts, convkit's saved models
// load in tfjs, and the gradients equal tf.grads. Within 1e-5 * (1 + |y|), as the other tfjs specs.
// tfjs-layers' own UpSampling2D 'bilinear' resizes without half-pixel centers (Keras resizes with
// them), so bilinear is checked against tf.image.resizeBilinear(x, size, false, true) itself.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface TransposeCase { kernel: [number, number]; strides: [number, number]; padding: 'valid' | 'same'; useBias: boolean; activation: 'linear' | 'relu' | 'sigmoid' }
const CASES: TransposeCase[] = [
  { kernel: [2, 2], strides: [2, 2], padding: 'valid', useBias: true, activation: 'linear' },
  { kernel: [3, 3], strides: [2, 2], padding: 'same', useBias: true, activation: 'relu' },
  { kernel: [3, 2], strides: [1, 2], padding: 'valid', useBias: false, activation: 'linear' },
  { kernel: [4, 3], strides: [3, 2], padding: 'same', useBias: true, activation: 'sigmoid' },
  { kernel: [1, 1], strides: [1, 1], padding: 'same', useBias: true, activation: 'linear' },
  { kernel: [2, 5], strides: [3, 1], padding: 'valid', useBias: true, activation: 'relu' },
];
const describeCase = (c: TransposeCase) => `k ${c.kernel.join('x')} s ${c.strides.join('x')} ${c.padding}${c.useBias ? ' bias' : ''} ${c.activation}`;

function tfjsModel(layers: tfl.layers.Layer[], seed: number): tfl.Sequential {
  const model = tfl.sequential({ layers });
  model.setWeights(model.weights.map((w, j) => tf.tensor(randomArray(size(w.shape as number[]), seed + j), w.shape as number[])));
  return model;
}

describe('Conv2DTranspose and UpSampling2D against TensorFlow.js', function () {
  before(tfjsReady);

  forEachBackend('tfjs models load in convkit and predict alike; convkit\'s saved models load in tfjs', () => {
    CASES.forEach((c, i) => {
      it(`Conv2DTranspose ${describeCase(c)}, UpSampling2D nearest [2, 3]`, async () => {
        const inputShape = [5, 6, 7];
        const model = tfjsModel([
          tfl.layers.conv2dTranspose({ inputShape, filters: 9, kernelSize: c.kernel, strides: c.strides, padding: c.padding, useBias: c.useBias, activation: c.activation }),
          tfl.layers.upSampling2d({ size: [2, 3] }),
        ], 50 + 10 * i);
        const shape = [2, ...inputShape], x = randomArray(size(shape), i);
        const expected = tfjsPredict(model, x, shape);
        const loaded = await loadSequential(await tfjsArtifacts(model));
        expect(loaded.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2DTranspose', 'UpSampling2D']);
        expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, expected, 'convkit loading tfjs');
        const back = await tfjsLoad(loaded.toArtifacts());
        expectMatches(tfjsPredict(back, x, shape), expected, 'tfjs loading convkit');
      });
    });

    it('UpSampling2D bilinear is tf.image.resizeBilinear with half-pixel centers', () => {
      for (const [shape, factors] of [[[2, 5, 7, 3], [2, 2]], [[1, 4, 3, 17], [3, 2]], [[1, 1, 2, 5], [4, 1]]] as [number[], [number, number]][]) {
        const x = randomArray(size(shape), 7);
        const expected = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(x, shape as [number, number, number, number]), [shape[1] * factors[0], shape[2] * factors[1]], false, true).dataSync());
        const y = new ck.UpSampling2D({ size: factors, interpolation: 'bilinear' }).forward(new ck.Tensor(x, shape));
        expectMatches(y.data, expected as Float32Array, `${shape} x ${factors}`);
      }
    });
  });

  forEachBackend('gradients equal tf.grads', () => {
    CASES.forEach((c, i) => {
      it(`Conv2DTranspose ${describeCase(c)}`, () => {
        const xShape = [2, 4, 5, 6], filters = 7;
        const kernelShape = [...c.kernel, filters, xShape[3]];
        const x = randomArray(size(xShape), 10 + i), kernel = randomArray(size(kernelShape), 20 + i), bias = c.useBias ? randomArray(filters, 30 + i) : null;
        const layer = new ck.Conv2DTranspose({ filters, kernelSize: c.kernel, strides: c.strides, padding: c.padding, useBias: c.useBias, activation: c.activation, kernel, ...(bias ? { bias } : {}) });
        const yShape = layer.outputShape(xShape), dy = randomArray(size(yShape), 40 + i);
        const g = layer.backward(new ck.Tensor(x, xShape), new ck.Tensor(dy, yShape));
        const act = { linear: (t: tf.Tensor) => t, relu: tf.relu, sigmoid: tf.sigmoid }[c.activation];
        const expected = tf.tidy(() => {
          const loss = (...a: tf.Tensor[]) => {
            const z = tf.conv2dTranspose(a[0] as tf.Tensor4D, a[1] as tf.Tensor4D, yShape as [number, number, number, number], c.strides, c.padding);
            return tf.sum(tf.mul(act(a.length > 2 ? tf.add(z, a[2]) : z), tf.tensor(dy, yShape)));
          };
          const inputs = [tf.tensor(x, xShape), tf.tensor(kernel, kernelShape), ...(bias ? [tf.tensor(bias)] : [])];
          return tf.grads(loss)(inputs).map((t) => t.dataSync() as Float32Array);
        });
        expectMatches(g.dx.data, expected[0], 'dx');
        expectMatches(g.kernel!, expected[1], 'kernel');
        if (bias) expectMatches(g.bias!, expected[2], 'bias');
      });
    });

    for (const interpolation of ['nearest', 'bilinear'] as const) {
      it(`UpSampling2D ${interpolation}`, () => {
        // One square image: tfjs 4.22's CPU gradients of the resize ops mix up height and width
        // (ResizeBilinear's throws on a non-square image) and the batch (a second image's
        // nearest gradient differs); convkit's own spec checks those against its float64 oracle.
        const xShape = [1, 5, 5, 3], factors: [number, number] = [3, 3];
        const x = randomArray(size(xShape), 1), yShape = [1, 15, 15, 3], dy = randomArray(size(yShape), 2);
        const g = new ck.UpSampling2D({ size: factors, interpolation }).backward(new ck.Tensor(x, xShape), new ck.Tensor(dy, yShape));
        const resize = (t: tf.Tensor) => interpolation === 'nearest' ? tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [15, 15]) : tf.image.resizeBilinear(t as tf.Tensor4D, [15, 15], false, true);
        // tfjs's ResizeBilinearGrad ignores halfPixelCenters, so bilinear's expected dx is the
        // transpose of tfjs's own forward instead: dx[i] = sum(dy * resize(e_i)), the op being linear.
        const expected = interpolation === 'nearest'
          ? tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(resize(t), tf.tensor(dy, yShape))))(tf.tensor(x, xShape)).dataSync() as Float32Array)
          : Float32Array.from(x, (_, i) => tf.tidy(() => {
            const e = new Float32Array(x.length);
            e[i] = 1;
            return tf.sum(tf.mul(resize(tf.tensor(e, xShape)), tf.tensor(dy, yShape))).dataSync()[0];
          }));
        expectMatches(g.dx.data, expected, 'dx');
      });
    }
  });
});
