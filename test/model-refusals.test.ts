// Everything convkit cannot compute as Keras would is refused on load, by an error that names
// the layer and the option; everything the Keras format cannot say is refused on save. Each
// case changes one thing in a model that loads (the first test checks that it does).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { activationOptions } from '../lib/activation';
import { conv2dOptions, denseOptions, kerasArtifacts, kerasTopology, type KerasLayer, layer, poolOptions, type Spec } from './helpers/keras';
import { randomArray } from './helpers/random';

interface Model {
  layers: KerasLayer[];
  specs: Spec[];
  topology?: Record<string, unknown>;
  format?: string;
}

/** InputLayer [8, 8, 3] -> Conv2D(4, 3x3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(5). */
function base(): Model {
  return {
    layers: [
      layer('InputLayer', 'input_1', { batch_input_shape: [null, 8, 8, 3], sparse: false, ragged: false }),
      layer('Conv2D', 'conv2d', conv2dOptions(4, 3, { activation: 'relu' })),
      layer('MaxPooling2D', 'max_pooling2d', poolOptions(2)),
      layer('Flatten', 'flatten', { data_format: 'channels_last' }),
      layer('Dense', 'dense', denseOptions(5)),
    ],
    specs: [
      { name: 'conv2d/kernel', shape: [3, 3, 3, 4], dtype: 'float32' }, { name: 'conv2d/bias', shape: [4], dtype: 'float32' },
      { name: 'dense/kernel', shape: [36, 5], dtype: 'float32' }, { name: 'dense/bias', shape: [5], dtype: 'float32' },
    ],
  };
}

function config(m: Model, name: string): Record<string, unknown> {
  return m.layers.find((l) => l.config.name === name)!.config;
}

function artifacts(m: Model): ck.ArtifactsInput {
  return { ...kerasArtifacts(m.topology ?? kerasTopology(m.layers), m.specs), ...(m.format ? { format: m.format } : {}) };
}

async function expectRefused(m: Model, cls: typeof TypeError | typeof RangeError, message: string | RegExp): Promise<void> {
  let error: unknown = null;
  try {
    await ck.loadModel(artifacts(m));
  } catch (e) {
    error = e;
  }
  expect(error, 'loadModel should reject').to.be.instanceOf(cls);
  if (typeof message === 'string') expect((error as Error).message).to.equal(message);
  else expect((error as Error).message).to.match(message);
}

const insert = (m: Model, at: number, l: KerasLayer) => m.layers.splice(at, 0, l);
const ACTIVATIONS = `(convkit supports ${activationOptions.map((a) => `'${a}'`).join(', ')})`;

interface Case {
  title: string;
  edit: (m: Model) => void;
  error: typeof TypeError | typeof RangeError;
  message: string | RegExp;
}

const LAYER_CASES: Case[] = [
  {
    title: 'a layer type convkit does not compute (LayerNormalization)',
    edit: (m) => insert(m, 2, layer('LayerNormalization', 'layer_normalization', { axis: -1, epsilon: 0.001 })),
    error: TypeError,
    message: /^LayerNormalization layer 'layer_normalization': layer type 'LayerNormalization' is not supported \(convkit loads InputLayer, Conv2D, MaxPooling2D, [A-Za-z0-9, ]+\)$/,
  },
  {
    title: 'SpatialDropout2D (only Dropout is dropped)',
    edit: (m) => insert(m, 2, layer('SpatialDropout2D', 'spatial_dropout2d', { rate: 0.2 })),
    error: TypeError, message: /^SpatialDropout2D layer 'spatial_dropout2d': layer type 'SpatialDropout2D' is not supported/,
  },
  {
    title: 'Conv2D data_format channels_first',
    edit: (m) => { config(m, 'conv2d').data_format = 'channels_first'; },
    error: RangeError, message: "Conv2D layer 'conv2d': data_format 'channels_first' is not supported (convkit supports 'channels_last')",
  },
  {
    title: 'Conv2D padding causal',
    edit: (m) => { config(m, 'conv2d').padding = 'causal'; },
    error: RangeError, message: "Conv2D layer 'conv2d': padding 'causal' is not supported (convkit supports 'valid', 'same')",
  },
  {
    title: 'Conv2D groups 2',
    edit: (m) => { config(m, 'conv2d').groups = 2; },
    error: RangeError, message: "Conv2D layer 'conv2d': groups 2 does not divide its 3 input channels and 4 filters",
  },
  {
    title: 'Conv2D activation celu (Keras 3)',
    edit: (m) => { config(m, 'conv2d').activation = 'celu'; },
    error: RangeError, message: `Conv2D layer 'conv2d': activation 'celu' is not supported ${ACTIVATIONS}`,
  },
  {
    title: 'Conv2D with an option convkit does not know, set (lora_rank 4)',
    edit: (m) => { config(m, 'conv2d').lora_rank = 4; },
    error: RangeError, message: "Conv2D layer 'conv2d': option lora_rank 4 is not supported",
  },
  {
    title: 'Conv2D dtype float16',
    edit: (m) => { config(m, 'conv2d').dtype = 'float16'; },
    error: RangeError, message: "Conv2D layer 'conv2d': dtype 'float16' is not supported (convkit supports 'float32')",
  },
  {
    title: "Conv2D under Keras 3's mixed_float16 policy",
    edit: (m) => { config(m, 'conv2d').dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' }, registered_name: null }; },
    error: RangeError, message: /^Conv2D layer 'conv2d': dtype \{'module':'keras', .*'mixed_float16'.* is not supported \(convkit supports 'float32'\)$/,
  },
  {
    title: 'Conv2D kernel_size 0',
    edit: (m) => { config(m, 'conv2d').kernel_size = [0, 3]; },
    error: TypeError, message: "Conv2D layer 'conv2d': expected positive integer or [h, w] array for kernel_size but received [0, 3] of type array",
  },
  {
    title: 'MaxPooling2D data_format channels_first',
    edit: (m) => { config(m, 'max_pooling2d').data_format = 'channels_first'; },
    error: RangeError, message: "MaxPooling2D layer 'max_pooling2d': data_format 'channels_first' is not supported (convkit supports 'channels_last')",
  },
  {
    title: 'Flatten data_format channels_first',
    edit: (m) => { config(m, 'flatten').data_format = 'channels_first'; },
    error: RangeError, message: "Flatten layer 'flatten': data_format 'channels_first' is not supported (convkit supports 'channels_last')",
  },
  {
    title: 'Dense on an image (no Flatten): Keras applies it to the last axis',
    edit: (m) => { m.layers.splice(3, 1); m.specs[2].shape = [4, 5]; },
    error: RangeError,
    message: "Dense layer 'dense': its input has shape [null, 3, 3, 4]; Keras applies Dense to the last axis there, while convkit's Dense flattens its input first (put a Flatten layer before it)",
  },
  {
    title: 'an Activation convkit does not have (log_softmax)',
    edit: (m) => insert(m, 5, layer('Activation', 'activation', { activation: 'log_softmax' })),
    error: RangeError, message: `Activation layer 'activation': activation 'log_softmax' is not supported ${ACTIVATIONS}`,
  },
  {
    title: 'a LeakyReLU alpha that is not a number',
    edit: (m) => insert(m, 5, layer('LeakyReLU', 'leaky_re_lu', { alpha: 'big' })),
    error: TypeError, message: "LeakyReLU layer 'leaky_re_lu': expected finite number for alpha but received 'big' of type string",
  },
  {
    title: 'InputLayer after the first layer',
    edit: (m) => insert(m, 2, layer('InputLayer', 'input_2', { batch_input_shape: [null, 6, 6, 4] })),
    error: RangeError, message: "InputLayer layer 'input_2': an InputLayer must come first",
  },
  {
    title: 'a sparse InputLayer',
    edit: (m) => { config(m, 'input_1').sparse = true; },
    error: RangeError, message: "InputLayer layer 'input_1': sparse true is not supported (convkit supports false)",
  },
  {
    title: 'no input shape',
    edit: (m) => { m.layers.shift(); },
    error: RangeError, message: 'Expected the model to declare its input shape (batch_input_shape on its first layer, or an InputLayer) but it declares none',
  },
  {
    title: 'a model class that is neither Sequential nor functional',
    edit: (m) => { m.topology = { model_config: { class_name: 'Graph', config: { layers: m.layers } } }; },
    error: RangeError, message: "Expected a Keras Sequential or functional model (class_name 'Sequential', 'Functional' or 'Model') but received class_name 'Graph'",
  },
  {
    title: 'a functional model with a layer applied twice (shared weights)',
    edit: (m) => {
      const input = { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 4] }, inbound_nodes: [] };
      const dense = { class_name: 'Dense', config: { name: 'd', units: 4 }, inbound_nodes: [[['x', 0, 0, {}]], [['d', 0, 0, {}]]] };
      m.topology = { class_name: 'Functional', config: { layers: [input, dense], input_layers: [['x', 0, 0]], output_layers: [['d', 1, 0]] } };
    },
    error: RangeError, message: "Dense layer 'd': it is applied 2 times (shared weights), which convkit does not support; make one layer per place",
  },
  {
    title: 'a functional model with a layer convkit does not have',
    edit: (m) => {
      const input = { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 4, 4, 2] }, inbound_nodes: [] };
      const odd = { class_name: 'LocallyConnected2D', config: { name: 'lc' }, inbound_nodes: [[['x', 0, 0, {}]]] };
      m.topology = { class_name: 'Functional', config: { layers: [input, odd], input_layers: [['x', 0, 0]], output_layers: [['lc', 0, 0]] } };
    },
    error: TypeError, message: /^LocallyConnected2D layer 'lc': layer type 'LocallyConnected2D' is not supported \(convkit loads /,
  },
  {
    title: 'a functional layer called with a mask',
    edit: (m) => {
      const input = { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 4] }, inbound_nodes: [] };
      const dense = { class_name: 'Dense', config: { name: 'd', units: 2 }, inbound_nodes: [[['x', 0, 0, { mask: true }]]] };
      m.topology = { class_name: 'Functional', config: { layers: [input, dense], input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]] } };
    },
    error: RangeError, message: "Dense layer 'd' inbound tensor 0: call arguments {'mask':true} are not supported (convkit reads layers called on their inputs alone)",
  },
  {
    title: 'a functional layer that reads a layer the model does not have',
    edit: (m) => {
      const input = { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 4] }, inbound_nodes: [] };
      const dense = { class_name: 'Dense', config: { name: 'd', units: 2 }, inbound_nodes: [[['y', 0, 0, {}]]] };
      m.topology = { class_name: 'Functional', config: { layers: [input, dense], input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]] } };
    },
    error: RangeError, message: "Dense layer 'd': reads layer 'y', which the model does not have",
  },
  {
    title: 'a graph model',
    edit: (m) => { m.format = 'graph-model'; },
    error: RangeError, message: /^Expected format 'layers-model' for source but received 'graph-model' of type string \(a TensorFlow.js graph model/,
  },
];

const WEIGHT_CASES: Case[] = [
  {
    title: 'a weight missing',
    edit: (m) => { m.specs.pop(); },
    error: RangeError, message: "Dense layer 'dense': its bias 'dense/bias' is not in the weights (they hold 'conv2d/kernel', 'conv2d/bias', 'dense/kernel')",
  },
  {
    title: 'a weight of the wrong shape',
    edit: (m) => { m.specs[2].shape = [37, 5]; },
    error: RangeError, message: /^Dense layer 'dense': weight 'dense\/kernel' has shape \[37, 5\] but the layer needs \[36, 5\]$/,
  },
  {
    title: 'a weight no layer takes (a bias with use_bias false)',
    edit: (m) => { config(m, 'dense').use_bias = false; },
    error: RangeError, message: "Expected every weight to belong to a layer but 'dense/bias' belongs to none",
  },
  {
    title: 'an int32 weight',
    edit: (m) => { m.specs[1].dtype = 'int32'; },
    error: RangeError, message: "Conv2D layer 'conv2d': weight 'conv2d/bias' has dtype 'int32' (convkit reads float32 weights)",
  },
  {
    title: 'weights quantized to uint8 without a scale',
    edit: (m) => { m.specs[0].quantization = { dtype: 'uint8', min: -1 }; },
    error: RangeError,
    message: "Conv2D layer 'conv2d': weight 'conv2d/kernel' is quantized to uint8 without a finite scale (expected number for quantization.scale but received undefined)",
  },
  {
    title: 'weights quantized to a dtype tfjs does not write',
    edit: (m) => { m.specs[2].quantization = { dtype: 'int4' }; },
    error: RangeError,
    message: "Weight 'dense/kernel' is quantized to 'int4', which convkit cannot read (it reads float32 weights, or uint8, uint16 and float16 quantized ones)",
  },
  {
    title: 'a weight name twice',
    edit: (m) => { m.specs[3].name = 'conv2d/bias:0'; },
    error: RangeError, message: "Expected each weight name once in weightSpecs but 'conv2d/bias' comes again at weightSpecs[3]",
  },
  {
    title: 'a string weight',
    edit: (m) => { m.specs[3].dtype = 'string'; },
    error: RangeError, message: "Weight 'dense/bias' has dtype 'string', which convkit cannot read (it reads float32 weights, or uint8, uint16 and float16 quantized ones)",
  },
];

describe('model format: what loadModel refuses', () => {
  it('the base model loads (so each case below fails for its one change)', async () => {
    const model = await ck.loadModel(artifacts(base()));
    expect(model.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D', 'MaxPool2D', 'Flatten', 'Dense']);
  });

  for (const c of [...LAYER_CASES, ...WEIGHT_CASES]) {
    it(c.title, async () => {
      const m = base();
      c.edit(m);
      await expectRefused(m, c.error, c.message);
    });
  }

  it('weight data shorter than its specs', async () => {
    const a = artifacts(base());
    await ck.loadModel({ ...a, weightData: (a.weightData as ArrayBuffer).slice(0, 500) }).then(
      () => expect.fail('should reject'),
      (e) => {
        expect(e).to.be.instanceOf(RangeError);
        expect(e.message).to.equal("Expected weight data of at least 1168 bytes for weight 'dense/kernel' (weightSpecs[2]) but received 500 bytes");
      },
    );
  });

  it('sources that are not a model', async () => {
    const cases: [unknown, typeof TypeError, string][] = [
      [42, TypeError, 'Expected path, URL or ModelArtifacts for source but received 42 of type number'],
      [null, TypeError, 'Expected path, URL or ModelArtifacts for source but received null'],
      [{}, TypeError, 'Expected path, URL or ModelArtifacts (with modelTopology) for source but received an object of type Object'],
      [{ modelTopology: 'x' }, TypeError, "Expected Keras model topology object for modelTopology but received 'x' of type string"],
      [{ modelTopology: {}, weightsManifest: [] }, TypeError, /weightsManifest\): pass its path or URL/ as unknown as string],
      [{ modelTopology: { class_name: 'Sequential', config: { layers: [1] } } }, TypeError, 'Expected object with class_name and config for layers[0] but received 1 of type number'],
      [{ modelTopology: base().layers[0], weightSpecs: [], weightData: 3 }, TypeError, 'Expected ArrayBuffer or array of ArrayBuffers for weightData but received 3 of type number'],
      [{ modelTopology: kerasTopology(base().layers), weightSpecs: [{ name: 'a' }] }, TypeError, "Expected { name, shape, dtype } for weightSpecs[0] but received an object of type Object"],
    ];
    for (const [source, cls, message] of cases) {
      const e = await ck.loadModel(source as never).then(() => null, (err: Error) => err);
      expect(e, `loadModel(${JSON.stringify(source)})`).to.be.instanceOf(cls);
      if ((message as unknown) instanceof RegExp) expect(e!.message).to.match(message as unknown as RegExp);
      else expect(e!.message).to.equal(message);
    }
  });
});

describe('model format: what save and toArtifacts refuse', () => {
  const conv = (o: Partial<ck.Conv2DOptions> = {}) => new ck.Conv2D({ filters: 2, kernelSize: 3, kernel: randomArray(3 * 3 * 3 * 2, 1), ...o });

  const cases: [string, () => ck.Sequential, unknown, typeof TypeError | typeof RangeError, string][] = [
    ['MaxPool2D with explicit pads', () => new ck.Sequential([new ck.MaxPool2D({ poolSize: 2, padding: [1, 0, 0, 0] })]), [6, 6, 3], RangeError,
      "layers[0] (MaxPool2D): padding [1, 0, 0, 0] cannot be saved (Keras's MaxPooling2D takes 'valid' or 'same')"],
    ['MaxPool2D with dilation', () => new ck.Sequential([new ck.MaxPool2D({ poolSize: 2, dilationRate: 2 })]), [6, 6, 3], RangeError,
      "layers[0] (MaxPool2D): dilationRate [2, 2] cannot be saved (Keras's MaxPooling2D has no dilation)"],
    ['Conv2D with strides and dilation', () => new ck.Sequential([conv({ strides: 2, dilationRate: 2 })]), [9, 9, 3], RangeError,
      'layers[0] (Conv2D): strides [2, 2] with dilationRate [2, 2] cannot be saved (Keras and TensorFlow.js refuse dilation with strides above 1)'],
    ['no input shape for a Conv2D model', () => new ck.Sequential([conv()]), undefined, RangeError,
      'Expected inputShape in the save options (the input shape without the batch dimension, e.g. [28, 28, 1]): the Keras format records it and this model was not loaded with one'],
    ['an input shape of the wrong depth', () => new ck.Sequential([conv()]), [6, 6, 4], RangeError,
      'layers[0] (Conv2D): Expected input with 3 channels for Conv2D but received shape [1, 6, 6, 4]'],
    ['an input shape of the wrong depth, size unknown', () => new ck.Sequential([conv()]), [null, null, 4], RangeError,
      'layers[0] (Conv2D): its kernel expects 3 input channels but its input has 4'],
    ['an input too small for the window', () => new ck.Sequential([conv()]), [2, 6, 3], RangeError,
      /^layers\[0\] \(Conv2D\): Expected Conv2D output size of at least 1x1/ as unknown as string],
    ['a Dense after an input of unknown size', () => new ck.Sequential([conv(), new ck.Dense({ units: 2, kernel: randomArray(8, 2) })]), [null, null, 3], RangeError,
      "layers[1] (Dense): needs a known number of input features but its input shape is [null, null, null, 2] (give the input height and width)"],
    ['weights not made yet and an input of unknown size', () => new ck.Sequential([new ck.Conv2D({ filters: 2, kernelSize: 3 })]), [null, null, 3], RangeError,
      'layers[0] (Conv2D): has no weights yet (they are made on its first forward): run the model once or give a complete inputShape'],
    ['inputShape not an array', () => new ck.Sequential([conv()]), 'x', TypeError,
      "Expected array of positive integers (null allowed but for the last, the channels or features) for inputShape but received 'x' of type string"],
    ['inputShape with unknown channels', () => new ck.Sequential([conv()]), [6, 6, null], RangeError,
      'Expected array of positive integers (null allowed but for the last, the channels or features) for inputShape but received [6, 6, null] of type array'],
  ];
  for (const [title, make, inputShape, cls, message] of cases) {
    it(title, async () => {
      const model = make();
      const options = inputShape === undefined ? undefined : { inputShape: inputShape as number[] };
      let error: Error | null = null;
      try {
        model.toArtifacts(options);
      } catch (e) {
        error = e as Error;
      }
      expect(error, 'toArtifacts should throw').to.be.instanceOf(cls);
      if ((message as unknown) instanceof RegExp) expect(error!.message).to.match(message as unknown as RegExp);
      else expect(error!.message).to.equal(message);
      // save refuses the same way, before writing anything.
      const saved = await model.save('/nonexistent-convkit-dir/model', options).then(() => null, (e: Error) => e);
      expect(saved?.message).to.equal(error!.message);
    });
  }

  it('save options that are not an object', () => {
    expect(() => new ck.Sequential([conv()]).toArtifacts(3 as never)).to.throw(TypeError, 'Expected options object for save options but received 3 of type number');
  });
});
