// A Keras Sequential topology and its weights -> convkit layers. Inference only: Dropout is the
// identity and is left out; a standalone Activation, ReLU, LeakyReLU, ELU or Softmax becomes the
// activation of the Conv2D, Dense or BatchNormalization right before it when that one is linear
// and the layer's options name one of convkit's activations, else a layer of its own;
// ZeroPadding2D becomes the explicit padding of the Conv2D after it (a ZeroPadding2D layer of its
// own where no Conv2D 'valid' follows). Anything convkit would compute differently is refused,
// naming the layer and the option.
import type { ActivationName } from '../activation';
import { Conv2D } from '../layers/conv2d';
import { Dense } from '../layers/dense';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { Flatten } from '../layers/flatten';
import type { Layer } from '../layers/layer';
import { MaxPool2D } from '../layers/maxpool2d';
import { POOLING_LAYERS, readPooling } from './pooling-io';
import { sidesOf } from './padding-io';
import { Cropping2D, ZeroPadding2D } from '../layers/padding2d';
import { Sequential } from '../layers/sequential';
import { Permute } from '../layers/permute';
import type { Padding } from '../shape';
import { type ActivationRead, activationLayerOf, activationOf } from './activation-read';
import { type KerasSequential, type LayerConfig, show } from './keras-config';
import { type Dim, nextShape, showShape } from './shapes';
import type { WeightStore } from './weights';
import { readBatchNormalization } from './batchnorm-config';
import { readConv2DTranspose, readReshape, readUpSampling2D } from './resample-io';
import { separableMaker, separableMultiplier } from './separable-io';

const SUPPORTED_LAYERS = 'InputLayer, Conv2D, MaxPooling2D, Dense, Flatten, Dropout, Activation, ReLU, LeakyReLU, ELU, Softmax, ZeroPadding2D, ' +
  'AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Cropping2D, BatchNormalization, DepthwiseConv2D, ' +
  'Conv2DTranspose, UpSampling2D, Reshape, Permute, SeparableConv2D';

/** A layer built so far; Conv2D and Dense can take a following Activation. */
interface Built {
  layer: Layer;
  label: string;
  activation?: ActivationName;
  withActivation?: (a: ActivationName) => Layer;
}

/** The input shape without the batch dimension: sizes or null (unknown), from `key` of cfg. */
function dims(cfg: LayerConfig, key: string, v: unknown, batch: boolean): Dim[] {
  const ok = Array.isArray(v) && v.length >= (batch ? 2 : 1) && v.every((d) => d === null || (Number.isInteger(d) && d >= 1));
  if (!ok) cfg.invalid(key, v, `array of positive integers or nulls${batch ? ' (batch first)' : ''}`);
  return (v as Dim[]).slice(batch ? 1 : 0);
}

/** The input shape a first layer declares (batch_input_shape, Keras 3's batch_shape, input_shape or input_dim), or null. */
function declaredShape(cfg: LayerConfig): Dim[] | null {
  for (const key of ['batch_input_shape', 'batch_shape', 'input_shape']) {
    const v = cfg.get(key);
    if (v !== undefined && v !== null) return dims(cfg, key, v, key !== 'input_shape');
  }
  const dim = cfg.get('input_dim');
  return dim === undefined || dim === null ? null : [cfg.integer('input_dim')];
}

function checkDtype(cfg: LayerConfig): void {
  const v = cfg.get('dtype');
  // Keras 3 writes a DTypePolicy object: { class_name: 'DTypePolicy', config: { name: 'float32' } }.
  const name = typeof v === 'object' && v !== null ? (v as { config?: { name?: unknown } }).config?.name : v;
  if (name !== undefined && name !== null && name !== 'float32') cfg.unsupported('dtype', v, "'float32'");
}

const channelsLast = (cfg: LayerConfig): void => void cfg.choice('data_format', ['channels_last'], 'channels_last');

class Reader {
  readonly built: Built[] = [];
  /** Pads of ZeroPadding2D layers waiting for their Conv2D, and the first such layer's label. */
  private pads: { pads: number[]; label: string } | null = null;

  constructor(private shape: Dim[], private readonly weights: WeightStore) {}

  add(b: Built): void {
    this.shape = nextShape(b.layer, this.shape, b.label);
    this.built.push(b);
  }

  private rank(cfg: LayerConfig, rank: number, what: string): void {
    if (this.shape.length !== rank) throw new RangeError(`${cfg.label}: expects ${what} but its input shape is ${showShape(this.shape)}`);
  }

  /** Pads that no Conv2D 'valid' right after takes: a ZeroPadding2D layer of their own. */
  noPendingPads(_cfg?: LayerConfig): void {
    if (!this.pads) return;
    const [t, b, l, r] = this.pads.pads, label = this.pads.label;
    this.pads = null;
    this.add({ layer: new ZeroPadding2D({ padding: [[t, b], [l, r]] }), label });
  }

  private bias(cfg: LayerConfig, useBias: boolean, units: number): { bias?: Float32Array } {
    return useBias ? { bias: this.weights.take(cfg.name, 'bias', [units], cfg.label) } : {};
  }

  /** A convolution's window, activation and bias options, with the pads of ZeroPadding2D layers before it folded in. */
  private convolution(cfg: LayerConfig, what: string) {
    const kernelSize = cfg.pair('kernel_size');
    const strides = cfg.pair('strides', [1, 1]);
    const dilationRate = cfg.pair('dilation_rate', [1, 1]);
    let padding: Padding = cfg.choice('padding', ['valid', 'same'] as const, 'valid');
    channelsLast(cfg);
    const activation = activationOf(cfg, 'linear');
    const useBias = cfg.boolean('use_bias', true);
    if (padding === 'same') this.noPendingPads();
    if (this.pads) {
      padding = this.pads.pads as Padding;
      this.pads = null;
    }
    const channels = this.shape[2];
    if (channels === null) throw new RangeError(`${cfg.label}: its input has an unknown number of channels`);
    return { kernelSize, strides, dilationRate, padding, activation, useBias, channels };
  }

  conv2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const filters = cfg.integer('filters');
    const groups = cfg.integer('groups', 1);
    const { kernelSize, strides, dilationRate, padding, activation, useBias, channels } = this.convolution(cfg, 'Conv2D');
    if (channels % groups || filters % groups) throw new RangeError(`${cfg.label}: groups ${groups} does not divide its ${channels} input channels and ${filters} filters`);
    const kernel = this.weights.take(cfg.name, 'kernel', [...kernelSize, channels / groups, filters], cfg.label);
    const options = { filters, kernelSize, strides, dilationRate, padding, groups, useBias, kernel, ...this.bias(cfg, useBias, filters) };
    const make = (a: ActivationName) => new Conv2D({ ...options, activation: a });
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  /** DepthwiseConv2D, and SeparableConv2D: the same depthwise convolution, then its pointwise one (separable-io.ts). */
  depthwiseConv2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const separable = cfg.className === 'SeparableConv2D', depthMultiplier = separable ? separableMultiplier(cfg, this.weights) : cfg.integer('depth_multiplier', 1);
    const { kernelSize, strides, dilationRate, padding, activation, useBias, channels } = this.convolution(cfg, cfg.className);
    const kernel = this.weights.take(cfg.name, 'depthwise_kernel', [...kernelSize, channels, depthMultiplier], cfg.label);
    const window = { kernelSize, strides, dilationRate, padding, depthMultiplier, useBias };
    const options = { ...window, kernel, ...(separable ? {} : this.bias(cfg, useBias, channels * depthMultiplier)) };
    const make = separable ? separableMaker(cfg, window, kernel, channels * depthMultiplier, this.weights) : (a: ActivationName) => new DepthwiseConv2D({ ...options, activation: a });
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  maxPooling2d(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    const poolSize = cfg.pair('pool_size', [2, 2]);
    const layer = new MaxPool2D({ poolSize, strides: cfg.pair('strides', poolSize), padding: cfg.choice('padding', ['valid', 'same'] as const, 'valid') });
    channelsLast(cfg);
    this.add({ layer, label: cfg.label });
  }

  /** AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D (pooling-io.ts). */
  pooling(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    this.add({ layer: readPooling(cfg), label: cfg.label });
  }

  dense(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    if (this.shape.length > 1) {
      throw new RangeError(`${cfg.label}: its input has shape ${showShape(this.shape)}; Keras applies Dense to the last axis there, ` +
        "while convkit's Dense flattens its input first (put a Flatten layer before it)");
    }
    const units = cfg.integer('units');
    const activation = activationOf(cfg, 'linear');
    const useBias = cfg.boolean('use_bias', true);
    const features = this.shape[0];
    if (features === null) throw new RangeError(`${cfg.label}: its input has an unknown number of features`);
    const options = { units, useBias, kernel: this.weights.take(cfg.name, 'kernel', [features, units], cfg.label), ...this.bias(cfg, useBias, units) };
    const make = (a: ActivationName) => new Dense({ ...options, activation: a });
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  flatten(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    channelsLast(cfg);
    this.add({ layer: new Flatten(), label: cfg.label });
  }

  /** BatchNormalization; an Activation after it becomes its activation (Sequential folds both into a linear Conv2D or Dense before it). */
  batchNormalization(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    const { layer, make } = readBatchNormalization(cfg, this.shape, this.weights);
    this.add({ layer, label: cfg.label, activation: 'linear', withActivation: make });
  }

  /** Conv2DTranspose (an Activation after it can fold in), UpSampling2D and Reshape (resample-io.ts). */
  resample(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    if (cfg.className !== 'Conv2DTranspose') {
      this.add({ layer: cfg.className === 'UpSampling2D' ? readUpSampling2D(cfg) : readReshape(cfg), label: cfg.label });
      return;
    }
    this.rank(cfg, 3, 'height, width and channels');
    const { make, activation } = readConv2DTranspose(cfg, this.shape, this.weights);
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  zeroPadding2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const p = sidesOf(cfg, 'padding', 1);
    channelsLast(cfg);
    // The shape stays the unpadded one: the Conv2D that takes these pads pads its input itself.
    this.pads = { pads: this.pads ? this.pads.pads.map((q, i) => q + p[i]) : p, label: this.pads?.label ?? cfg.label };
  }

  cropping2d(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    this.rank(cfg, 3, 'height, width and channels');
    const [t, b, l, r] = sidesOf(cfg, 'cropping', 0);
    channelsLast(cfg);
    this.add({ layer: new Cropping2D({ cropping: [[t, b], [l, r]] }), label: cfg.label });
  }

  /** Axes of the current output, not counting the batch. */
  outputRank(): number {
    return this.shape.length;
  }

  /**
   * An Activation (or ReLU, LeakyReLU, ELU, Softmax) layer: folded into the linear Conv2D, Dense
   * or BatchNormalization right before it when it computes a named activation, else a layer of
   * its own (after the pads of a ZeroPadding2D before it: an activation of zeros need not be zero).
   */
  activation(cfg: LayerConfig, a: ActivationRead): void {
    if (a.name === 'linear') return;
    this.noPendingPads(cfg);
    const prev = this.built[this.built.length - 1];
    if (a.name && prev?.withActivation && prev.activation === 'linear') {
      this.built[this.built.length - 1] = { ...prev, layer: prev.withActivation(a.name), activation: a.name };
    } else if (!(a.name === 'relu' && prev?.activation === 'relu')) { // relu(relu(x)) is relu(x)
      this.add({ layer: a.make(), label: cfg.label });
    }
  }

  finish(): Layer[] {
    this.noPendingPads();
    if (!this.built.length) throw new RangeError('Expected at least one Conv2D, MaxPooling2D, Dense or Flatten layer but the model has none');
    this.weights.checkAllUsed();
    return this.built.map((b) => b.layer);
  }
}

function readLayer(r: Reader, cfg: LayerConfig, first: boolean): void {
  switch (cfg.className) {
    case 'InputLayer':
      if (!first) throw new RangeError(`${cfg.label}: an InputLayer must come first`);
      cfg.only('sparse', false);
      cfg.only('ragged', false);
      return;
    case 'Dropout':
      cfg.get('rate'); cfg.get('noise_shape'); cfg.get('seed'); // identity in inference
      return;
    case 'Activation':
    case 'ReLU':
    case 'LeakyReLU':
    case 'ELU':
    case 'Softmax':
      return r.activation(cfg, activationLayerOf(cfg, r.outputRank()));
    case 'Conv2D':
      return r.conv2d(cfg);
    case 'MaxPooling2D':
    case 'MaxPool2D':
      return r.maxPooling2d(cfg);
    case 'Dense':
      return r.dense(cfg);
    case 'Flatten':
      return r.flatten(cfg);
    case 'ZeroPadding2D':
      return r.zeroPadding2d(cfg);
    case 'Cropping2D':
      return r.cropping2d(cfg);
    case 'BatchNormalization':
      return r.batchNormalization(cfg);
    case 'DepthwiseConv2D':
    case 'SeparableConv2D':
      return r.depthwiseConv2d(cfg);
    case 'Conv2DTranspose':
    case 'UpSampling2D':
    case 'Reshape':
      return r.resample(cfg);
    case 'Permute':
      r.noPendingPads(cfg);
      return r.add({ layer: new Permute({ dims: cfg.get('dims') as number[] }), label: cfg.label });
    default:
      if (Object.hasOwn(POOLING_LAYERS, cfg.className)) return r.pooling(cfg);
      throw new TypeError(`${cfg.label}: layer type ${show(cfg.className)} is not supported (convkit loads ${SUPPORTED_LAYERS})`);
  }
}

/** The layers of a Keras Sequential, with their weights, and the input shape it declares (no batch dimension). */
export function readSequential(k: KerasSequential, weights: WeightStore): { model: Sequential; inputShape: Dim[] } {
  const first = k.layers[0];
  const inputShape = (first && declaredShape(first)) ??
    (k.buildInputShape !== undefined && k.buildInputShape !== null && first ? dims(first, 'build_input_shape', k.buildInputShape, true) : null);
  if (!inputShape) {
    throw new RangeError('Expected the model to declare its input shape (batch_input_shape on its first layer, or an InputLayer) but it declares none');
  }
  const r = new Reader([...inputShape], weights);
  k.layers.forEach((cfg, i) => {
    checkDtype(cfg);
    readLayer(r, cfg, i === 0);
    cfg.checkNoOthers();
  });
  return { model: new Sequential(r.finish()), inputShape };
}
