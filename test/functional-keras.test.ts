// Functional topologies as Keras writes them, by hand: Keras 2.2's 'Model' (inbound tensors as
// ['name', node, tensor, kwargs]), tf.keras 2.4+'s 'Functional' (the same, some without kwargs,
// inside tensorflowjs_converter's model_config) and Keras 3's (inbound nodes as { args, kwargs }
// of keras tensors, a single input_layers entry unwrapped, dtype policies). Each loads into the
// same graph, which gives the bits of its layers run one by one.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

type Ref = [string, number, number];
type Form = 'keras2.2' | 'keras2.4' | 'keras3';

/** An inbound node in the form's words: the tensors a layer reads. */
function inbound(form: Form, refs: Ref[], merge: boolean): unknown[] {
  if (form === 'keras3') {
    const tensor = (r: Ref) => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: r } });
    return [{ args: merge ? [refs.map(tensor)] : refs.map(tensor), kwargs: {} }];
  }
  return [refs.map((r) => (form === 'keras2.2' ? [...r, {}] : r))];
}

const W = {
  conv: randomArray(3 * 3 * 3 * 4, 1), convBias: randomArray(4, 2), proj: randomArray(3 * 4, 3),
  gamma: randomArray(4, 4), beta: randomArray(4, 5), mean: randomArray(4, 6), variance: randomArray(4, 7).map((v) => 1 + v / 2),
  dense: randomArray(4 * 2, 8), denseBias: randomArray(2, 9),
};

/** input -> Conv2D -> BatchNormalization -> ReLU, + a 1x1 projection of the input -> GlobalAveragePooling2D -> Dense. */
function topology(form: Form): ck.ArtifactsInput {
  const dtype = form === 'keras3' ? { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } : 'float32';
  const layer = (class_name: string, name: string, config: Record<string, unknown>, refs: Ref[], merge = false) => ({
    class_name, name, config: { name, trainable: true, dtype, ...config }, inbound_nodes: refs.length ? inbound(form, refs, merge) : [],
    ...(form === 'keras3' ? { module: 'keras.layers', registered_name: null } : {}),
  });
  const shape = form === 'keras3' ? { batch_shape: [null, 6, 6, 3] } : { batch_input_shape: [null, 6, 6, 3] };
  const layers = [
    layer('InputLayer', 'image', { ...shape, sparse: false }, []),
    layer('Conv2D', 'conv', { filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true }, [['image', 0, 0]]),
    layer('BatchNormalization', 'bn', { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true }, [['conv', 0, 0]]),
    layer('Activation', 'relu', { activation: 'relu' }, [['bn', 0, 0]]),
    layer('Conv2D', 'proj', { filters: 4, kernel_size: [1, 1], padding: 'valid', activation: 'linear', use_bias: false }, [['image', 0, 0]]),
    layer('Add', 'add', {}, [['relu', 0, 0], ['proj', 0, 0]], true),
    layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last' }, [['add', 0, 0]]),
    layer('Dense', 'out', { units: 2, activation: 'softmax', use_bias: true }, [['gap', 0, 0]]),
  ];
  const ends = (r: Ref) => (form === 'keras3' ? r : [r]);
  const model = { class_name: form === 'keras2.2' ? 'Model' : 'Functional', config: { name: 'net', layers, input_layers: ends(['image', 0, 0]), output_layers: ends(['out', 0, 0]) } };
  const weights: [string, number[], Float32Array][] = [
    ['conv/kernel', [3, 3, 3, 4], W.conv], ['conv/bias', [4], W.convBias], ['bn/gamma', [4], W.gamma], ['bn/beta', [4], W.beta],
    ['bn/moving_mean', [4], W.mean], ['bn/moving_variance', [4], W.variance], ['proj/kernel', [1, 1, 3, 4], W.proj],
    ['out/kernel', [4, 2], W.dense], ['out/bias', [2], W.denseBias],
  ];
  const data = new Float32Array(weights.reduce((n, [, , v]) => n + v.length, 0));
  let at = 0;
  for (const [, , v] of weights) (data.set(v, at), (at += v.length));
  return {
    modelTopology: form === 'keras2.4' ? { model_config: model, keras_version: '2.15.0' } : model,
    weightSpecs: weights.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
    weightData: data.buffer,
  };
}

/** The same network's layers, run one by one. */
function byHand(x: ck.Tensor): ck.Tensor {
  const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', kernel: W.conv, bias: W.convBias });
  const bn = new ck.BatchNormalization({ epsilon: 0.001, gamma: W.gamma, beta: W.beta, movingMean: W.mean, movingVariance: W.variance, activation: 'relu' });
  const proj = new ck.Conv2D({ filters: 4, kernelSize: 1, useBias: false, kernel: W.proj });
  const s = new ck.Add().forward([bn.forward(conv.forward(x)), proj.forward(x)]);
  return new ck.Dense({ units: 2, activation: 'softmax', kernel: W.dense, bias: W.denseBias }).forward(new ck.GlobalAveragePooling2D().forward(s));
}

forEachBackend('functional topologies as Keras writes them', () => {
  for (const form of ['keras2.2', 'keras2.4', 'keras3'] as const) {
    it(`${form}: loads into the graph of its layers (the BatchNormalization within rounding of its own op)`, async () => {
      const model = await ck.loadModel(topology(form));
      expect(model).to.be.instanceOf(ck.Model);
      const m = model as ck.Model;
      expect(m.layers.map((l) => l.name)).to.deep.equal(['conv', 'bn', 'proj', 'add', 'gap', 'out']); // relu folded into bn
      const x = new ck.Tensor(randomArray(2 * 6 * 6 * 3, 10), [2, 6, 6, 3]);
      const got = m.forward(x) as ck.Tensor, want = byHand(x);
      got.data.forEach((v, i) => expect(Math.abs(v - want.data[i])).to.be.at.most(1e-6));
    });
  }
});
