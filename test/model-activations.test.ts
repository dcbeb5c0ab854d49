// The activations in the Keras model format: every name saved by convkit loads in tfjs-layers
// (where tfjs names it) and back in convkit with the same predictions; the activation layers
// Keras and tfjs write (Activation, ReLU with max_value, LeakyReLU, ELU, Softmax) load folded into
// the Conv2D or Dense before them; the options convkit cannot compute are refused by name.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { activationNames } from '../lib/activation';
import { forEachBackend } from './helpers/backends';
import { conv2dOptions, denseOptions, kerasArtifacts, kerasTopology, type KerasLayer, layer, type Spec } from './helpers/keras';
import { randomArray } from './helpers/random';
import { expectMatches, tfjsLoad, tfjsPredict, tfjsReady } from './helpers/tfjs';

/**
 * Names tfjs-layers 4.22 does not read as an activation string (leaky_relu is saved as a
 * LeakyReLU layer, which it reads): it has no hard_swish or exponential, and it registers
 * gelu_new but its loader camel-cases the string to 'geluNew' first, which it then does not know.
 */
const NOT_IN_TFJS = new Set(['hard_swish', 'exponential', 'gelu_new']);

/** Conv2D(3 -> 5, 3x3, activation) -> Flatten -> Dense(4) on [6, 6, 3]. */
function model(activation: ck.ActivationName): ck.Sequential {
  return new ck.Sequential([
    new ck.Conv2D({ filters: 5, kernelSize: 3, activation, kernel: randomArray(3 * 3 * 3 * 5, 1), bias: randomArray(5, 2) }),
    new ck.Flatten(),
    new ck.Dense({ units: 4, activation: activation === 'softmax' ? 'linear' : activation, kernel: randomArray(80 * 4, 3), bias: randomArray(4, 4) }),
  ]);
}

/** InputLayer [4] -> Dense(6) -> the given activation layer, with its weights. */
function denseThen(act: KerasLayer): ck.ArtifactsInput {
  const specs: Spec[] = [{ name: 'dense/kernel', shape: [4, 6], dtype: 'float32' }, { name: 'dense/bias', shape: [6], dtype: 'float32' }];
  return kerasArtifacts(kerasTopology([
    layer('InputLayer', 'input_1', { batch_input_shape: [null, 4] }), layer('Dense', 'dense', denseOptions(6)), act,
  ]), specs);
}

/** The same model with the activation given to the Dense itself. */
function denseWith(activation: ck.ActivationName): ck.ArtifactsInput {
  const specs: Spec[] = [{ name: 'dense/kernel', shape: [4, 6], dtype: 'float32' }, { name: 'dense/bias', shape: [6], dtype: 'float32' }];
  return kerasArtifacts(kerasTopology([
    layer('InputLayer', 'input_1', { batch_input_shape: [null, 4] }), layer('Dense', 'dense', denseOptions(6, { activation })),
  ]), specs);
}

describe('activations in the Keras model format', () => {
  before(tfjsReady);
  const x = new ck.Tensor(randomArray(2 * 6 * 6 * 3, 9).map((v) => v * 3), [2, 6, 6, 3]);

  forEachBackend('saved by convkit', () => {
    for (const activation of activationNames) {
      it(`${activation}: loads back in convkit${NOT_IN_TFJS.has(activation) ? '' : ' and in tfjs-layers'} with the same predictions`, async () => {
        const m = model(activation), y = m.forward(x).data;
        const artifacts = m.toArtifacts({ inputShape: [6, 6, 3] });
        const again = await loadSequential(artifacts);
        expect(Array.from(again.forward(x).data)).to.deep.equal(Array.from(y));
        if (NOT_IN_TFJS.has(activation)) return;
        const peer = await tfjsLoad(artifacts);
        // tfjs computes in float32 with its own approximations (gelu's erf to 1.5e-7).
        expectMatches(y, tfjsPredict(peer, x.data, x.shape as number[]), `${activation} convkit vs tfjs`, 1e-5);
      });
    }
  });

  forEachBackend('activation layers as Keras and tfjs write them', () => {
    const cases: [string, KerasLayer, ck.ActivationName][] = [
      ['Activation(gelu)', layer('Activation', 'activation', { activation: 'gelu' }), 'gelu'],
      ['Activation(silu), an alias', layer('Activation', 'activation', { activation: 'silu' }), 'swish'],
      ['Activation(hard_sigmoid)', layer('Activation', 'activation', { activation: 'hard_sigmoid' }), 'hard_sigmoid'],
      ['ReLU(max_value 6)', layer('ReLU', 're_lu', { max_value: 6, negative_slope: 0, threshold: 0 }), 'relu6'],
      ['ReLU(max_value null)', layer('ReLU', 're_lu', { max_value: null, negative_slope: 0, threshold: 0 }), 'relu'],
      ['LeakyReLU(alpha 0.2)', layer('LeakyReLU', 'leaky_re_lu', { alpha: 0.2 }), 'leaky_relu'],
      ['LeakyReLU(negative_slope 0.2), Keras 3', layer('LeakyReLU', 'leaky_re_lu', { negative_slope: 0.2 }), 'leaky_relu'],
      ['ELU(alpha 1)', layer('ELU', 'elu', { alpha: 1 }), 'elu'],
      ['Softmax(axis -1)', layer('Softmax', 'softmax', { axis: -1 }), 'softmax'],
      ['Softmax(axis 1) after a Dense', layer('Softmax', 'softmax', { axis: 1 }), 'softmax'],
    ];
    const input = new ck.Tensor(randomArray(3 * 4, 5).map((v) => v * 4), [3, 4]);
    for (const [title, act, activation] of cases) {
      it(`${title} is the Dense's ${activation}`, async () => {
        const folded = await loadSequential(denseThen(act)), direct = await loadSequential(denseWith(activation));
        expect(Array.from(folded.forward(input).data)).to.deep.equal(Array.from(direct.forward(input).data));
      });
    }

    const own: [string, KerasLayer, () => ck.Layer][] = [
      ['LeakyReLU with tfjs\'s default alpha 0.3', layer('LeakyReLU', 'leaky_re_lu', {}), () => new ck.LeakyReLU({ alpha: 0.3 })],
      ['ELU with alpha 2', layer('ELU', 'elu', { alpha: 2 }), () => new ck.ELU({ alpha: 2 })],
      ['ReLU with max_value 4, negative_slope 0.1, threshold 0.5', layer('ReLU', 're_lu', { max_value: 4, negative_slope: 0.1, threshold: 0.5 }),
        () => new ck.ReLU({ maxValue: 4, negativeSlope: 0.1, threshold: 0.5 })],
      ['Softmax over the first (batch) axis', layer('Softmax', 'softmax', { axis: 0 }), () => new ck.Softmax({ axis: 0 })],
    ];
    for (const [title, act, make] of own) {
      it(`${title} is a layer of its own after the Dense`, async () => {
        const loaded = await loadSequential(denseThen(act)), dense = await loadSequential(denseWith('linear'));
        expect(loaded.layers[1]).to.be.instanceOf(make().constructor);
        expect(Array.from(loaded.forward(input).data)).to.deep.equal(Array.from(make().forward(dense.forward(input)).data));
      });
    }

    const refused: [string, KerasLayer, RegExp][] = [
      ['Softmax over two axes', layer('Softmax', 'softmax', { axis: [0, 1] }), /Softmax layer 'softmax': axis \[0, 1\] is not supported/],
      ['an unknown activation', layer('Activation', 'activation', { activation: 'gelu_fast' }), /Activation layer 'activation': activation 'gelu_fast' is not supported/],
      ['PReLU sharing an axis after one it does not', layer('PReLU', 'p_re_lu', { shared_axes: [2] }), /PReLU layer 'p_re_lu': shared_axes \[2\] is not supported/],
    ];
    for (const [title, act, message] of refused) {
      it(`refuses ${title}, naming the option`, async () => {
        let error: unknown = null;
        await loadSequential(denseThen(act)).catch((e) => (error = e));
        expect(String(error)).to.match(message);
      });
    }
  });
});

describe('Conv2D on an image refuses a Softmax layer over an axis its output does not have', () => {
  it('axis 4 of a rank-3 output names the axis', async () => {
    const specs: Spec[] = [{ name: 'conv2d/kernel', shape: [1, 1, 2, 3], dtype: 'float32' }, { name: 'conv2d/bias', shape: [3], dtype: 'float32' }];
    const artifacts = kerasArtifacts(kerasTopology([
      layer('InputLayer', 'input_1', { batch_input_shape: [null, 4, 4, 2] }), layer('Conv2D', 'conv2d', conv2dOptions(3, 1)),
      layer('Softmax', 'softmax', { axis: 4 }),
    ]), specs);
    let error: unknown = null;
    await loadSequential(artifacts).catch((e) => (error = e));
    expect(String(error)).to.match(/Softmax layer 'softmax': axis 4 is not supported \(convkit supports an axis in \[-4, 3\]/);
  });
});
