// convkit's backward passes against TensorFlow.js's tf.grads on the same layers, weights and
// inputs: the gradients of L = sum(dy * layer(x)) with respect to x, the kernel and the bias.
// Conv2D over strides, padding, kernel shapes and bias; MaxPool2D; Dense on 2-D and 4-D input;
// every activation convkit has (sigmoid, tanh and softmax only once convkit has them), each
// written with tfjs ops (tf.grads differentiates them; gelu's erf is tfjs's 1.5e-7 approximation).
import * as ck from '../lib/index';
import { activationNames } from '../lib/activation';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsReady } from './helpers/tfjs';

type Act = (z: tf.Tensor) => tf.Tensor;
const hardClip = (v: tf.Tensor) => tf.clipByValue(v, 0, 1);
const TFJS_ACTIVATIONS: Record<string, Act> = {
  linear: (z) => z, relu: (z) => tf.relu(z), sigmoid: (z) => tf.sigmoid(z), tanh: (z) => tf.tanh(z), softmax: (z) => tf.softmax(z),
  relu6: (z) => tf.relu6(z), elu: (z) => tf.elu(z), selu: (z) => tf.selu(z), softplus: (z) => tf.softplus(z),
  softsign: (z) => tf.div(z, tf.add(1, tf.abs(z))), hard_sigmoid: (z) => hardClip(tf.add(tf.mul(0.2, z), 0.5)),
  swish: (z) => tf.mul(z, tf.sigmoid(z)), gelu: (z) => tf.mul(z, tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2))))),
  gelu_new: (z) => tf.mul(tf.mul(0.5, z), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3))))))),
  mish: (z) => tf.mul(z, tf.tanh(tf.softplus(z))), hard_swish: (z) => tf.mul(z, hardClip(tf.add(tf.div(z, 6), 0.5))),
  leaky_relu: (z) => tf.leakyRelu(z, 0.2), exponential: (z) => tf.exp(z),
};
const ACTIVATIONS = activationNames.filter((a) => a in TFJS_ACTIVATIONS);
const ABSENT = ['sigmoid', 'tanh', 'softmax'].filter((a) => !(activationNames as readonly string[]).includes(a));

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** tf.grads of sum(dy * f(x, kernel, bias)) at the given values; the bias left out when null. */
function tfjsGrads(f: (x: tf.Tensor, k: tf.Tensor) => tf.Tensor, act: Act, x: ck.Tensor, kernel: [Float32Array, number[]], bias: Float32Array | null, dy: ck.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const dyT = tf.tensor(dy.data, dy.shape as number[]);
    const loss = (...args: tf.Tensor[]) => {
      const z = f(args[0], args[1]);
      return tf.sum(tf.mul(act(args.length > 2 ? tf.add(z, args[2]) : z), dyT));
    };
    const inputs = [tf.tensor(x.data, x.shape as number[]), tf.tensor(kernel[0], kernel[1]), ...(bias ? [tf.tensor(bias)] : [])];
    return tf.grads(loss)(inputs).map((g) => g.dataSync() as Float32Array);
  });
}

function expectGrads(g: ck.Gradients, expected: Float32Array[], label: string): void {
  expectMatches(g.dx.data, expected[0], `${label} dx`);
  if (expected.length > 1) expectMatches(g.kernel!, expected[1], `${label} kernel`);
  if (expected.length > 2) expectMatches(g.bias!, expected[2], `${label} bias`);
}

interface ConvCase { kernel: [number, number]; strides: [number, number]; padding: 'valid' | 'same'; useBias: boolean }
const CONV_CASES: ConvCase[] = [
  { kernel: [3, 3], strides: [1, 1], padding: 'valid', useBias: true },
  { kernel: [3, 3], strides: [2, 2], padding: 'same', useBias: true },
  { kernel: [2, 3], strides: [2, 1], padding: 'same', useBias: false },
  { kernel: [3, 2], strides: [1, 2], padding: 'valid', useBias: true },
  { kernel: [1, 1], strides: [1, 1], padding: 'valid', useBias: false },
];

const POOL_CASES: { pool: [number, number]; strides: [number, number]; padding: 'valid' | 'same' }[] = [
  { pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { pool: [3, 3], strides: [2, 2], padding: 'same' },
  { pool: [2, 3], strides: [1, 2], padding: 'valid' },
];

describe('backward passes against tfjs tf.grads', () => {
  before(tfjsReady);

  if (ABSENT.length) {
    it(`${ABSENT.join(', ')} cases`, function () {
      console.log(`      skipped: convkit has no ${ABSENT.join(', ')} activation yet (activationNames: ${activationNames.join(', ')}); these cases run once it does`);
      this.skip();
    });
  }

  forEachBackend('layers', () => {
    CONV_CASES.forEach((c, i) => {
      for (const activation of ACTIVATIONS) {
        it(`Conv2D ${c.kernel.join('x')} strides ${c.strides.join('x')} ${c.padding}${c.useBias ? '' : ' no bias'} ${activation}`, () => {
          const xShape = [2, 7, 6, 3], kShape = [...c.kernel, 3, 4], seed = 10 * i;
          const x = new ck.Tensor(randomArray(size(xShape), seed), xShape);
          const kernel = randomArray(size(kShape), seed + 1), bias = c.useBias ? randomArray(4, seed + 2) : null;
          const layer = new ck.Conv2D({ filters: 4, kernelSize: c.kernel, strides: c.strides, padding: c.padding, activation, useBias: c.useBias, kernel, ...(bias ? { bias } : {}) });
          const yShape = layer.outputShape(xShape);
          const dy = new ck.Tensor(randomArray(size(yShape), seed + 3), yShape);
          const conv = (xt: tf.Tensor, k: tf.Tensor) => tf.conv2d(xt as tf.Tensor4D, k as tf.Tensor4D, c.strides, c.padding);
          expectGrads(layer.backward(x, dy), tfjsGrads(conv, TFJS_ACTIVATIONS[activation], x, [kernel, kShape], bias, dy), 'conv');
        });
      }
    });

    POOL_CASES.forEach((c, i) => {
      it(`MaxPool2D ${c.pool.join('x')} strides ${c.strides.join('x')} ${c.padding}`, () => {
        const xShape = [2, 7, 8, 3];
        const x = new ck.Tensor(randomArray(size(xShape), 100 + i), xShape);
        const layer = new ck.MaxPool2D({ poolSize: c.pool, strides: c.strides, padding: c.padding });
        const yShape = layer.outputShape(xShape);
        const dy = new ck.Tensor(randomArray(size(yShape), 110 + i), yShape);
        const expected = tf.tidy(() => {
          const pool = (xt: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xt as tf.Tensor4D, c.pool, c.strides, c.padding), tf.tensor(dy.data, yShape)));
          return tf.grad(pool)(tf.tensor(x.data, xShape)).dataSync() as Float32Array;
        });
        expectGrads(layer.backward(x, dy), [expected], 'pool');
      });
    });

    for (const xShape of [[3, 10], [3, 2, 2, 3]]) {
      for (const useBias of [true, false]) {
        for (const activation of ACTIVATIONS) {
          it(`Dense on [${xShape.join(', ')}]${useBias ? '' : ' no bias'} ${activation}`, () => {
            const k = size(xShape.slice(1)), seed = 200 + xShape.length;
            const x = new ck.Tensor(randomArray(size(xShape), seed), xShape);
            const kernel = randomArray(k * 5, seed + 1), bias = useBias ? randomArray(5, seed + 2) : null;
            const layer = new ck.Dense({ units: 5, activation, useBias, kernel, ...(bias ? { bias } : {}) });
            const dy = new ck.Tensor(randomArray(3 * 5, seed + 3), [3, 5]);
            const dense = (xt: tf.Tensor, w: tf.Tensor) => tf.matMul(tf.reshape(xt, [3, k]), w as tf.Tensor2D);
            expectGrads(layer.backward(x, dy), tfjsGrads(dense, TFJS_ACTIVATIONS[activation], x, [kernel, [k, 5]], bias, dy), 'dense');
          });
        }
      }
    }
  });
});
