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
import { checkDtype, declaredShape, dims, type KerasSequential, type LayerConfig, show } from './keras-config';
import { type Dim, nextShape, showShape } from '../models/layer-shapes';
import type { WeightStore } from './weights';
import { readBatchNormalization } from './batchnorm-config';
import { readConv2DTranspose, readReshape, readUpSampling2D } from './resample-io';
import { separableMaker, separableMultiplier } from './separable-io';

const SUPPORTED_LAYERS = 'InputLayer, Conv2D, MaxPooling2D, Dense, Flatten, Dropout, Activation, ReLU, LeakyReLU, ELU, Softmax, PReLU, ZeroPadding2D, ' +
  'AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Cropping2D, BatchNormalization, DepthwiseConv2D, ' +
  'Conv2DTranspose, UpSampling2D, Reshape, Permute, SeparableConv2D';

/** A layer built so far; Conv2D and Dense can take a following Activation. */
interface Built {
  layer: Layer;
  label: string;
  /** The Keras layer's name, which the convkit layer takes. */
  name: string;
  activation?: ActivationName;
  withActivation?: (a: ActivationName) => Layer;
}

function channelsLast(cfg: LayerConfig): void {
  cfg.choice('data_format', ['channels_last'], 'channels_last');
}

export class Reader {
  readonly built: Built[] = [];
  /** Each layer config read, by name: its `trainable` flag goes to the layer made from it. */
  readonly configs = new Map<string, LayerConfig>();
  /** Pads of ZeroPadding2D layers waiting for their Conv2D, and the first such layer's label. */
  private pads: { pads: number[]; label: string; name: string } | null = null;

  /** The current output's shape (no batch) and the weights layers take theirs from. */
  constructor(public shape: Dim[], readonly weights: WeightStore) {}

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
    const [t, b, l, r] = this.pads.pads, { label, name } = this.pads;
    this.pads = null;
    this.add({ layer: new ZeroPadding2D({ padding: [[t, b], [l, r]] }), label, name });
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
    this.add({ layer: make(activation), label: cfg.label, name: cfg.name, activation, withActivation: make });
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
    this.add({ layer: make(activation), label: cfg.label, name: cfg.name, activation, withActivation: make });
  }

  maxPooling2d(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    const poolSize = cfg.pair('pool_size', [2, 2]);
    const layer = new MaxPool2D({ poolSize, strides: cfg.pair('strides', poolSize), padding: cfg.choice('padding', ['valid', 'same'] as const, 'valid') });
    channelsLast(cfg);
    this.add({ layer, label: cfg.label, name: cfg.name });
  }

  /** AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D (pooling-io.ts). */
  pooling(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    this.add({ layer: readPooling(cfg), label: cfg.label, name: cfg.name });
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
    this.add({ layer: make(activation), label: cfg.label, name: cfg.name, activation, withActivation: make });
  }

  flatten(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    channelsLast(cfg);
    this.add({ layer: new Flatten(), label: cfg.label, name: cfg.name });
  }

  /** BatchNormalization; an Activation after it becomes its activation (Sequential folds both into a linear Conv2D or Dense before it). */
  batchNormalization(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    const { layer, make } = readBatchNormalization(cfg, this.shape, this.weights);
    this.add({ layer, label: cfg.label, name: cfg.name, activation: 'linear', withActivation: make });
  }

  /** Conv2DTranspose (an Activation after it can fold in), UpSampling2D and Reshape (resample-io.ts). */
  resample(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    if (cfg.className !== 'Conv2DTranspose') {
      this.add({ layer: cfg.className === 'UpSampling2D' ? readUpSampling2D(cfg) : readReshape(cfg), label: cfg.label, name: cfg.name });
      return;
    }
    this.rank(cfg, 3, 'height, width and channels');
    const { make, activation } = readConv2DTranspose(cfg, this.shape, this.weights);
    this.add({ layer: make(activation), label: cfg.label, name: cfg.name, activation, withActivation: make });
  }

  zeroPadding2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const p = sidesOf(cfg, 'padding', 1);
    channelsLast(cfg);
    // The shape stays the unpadded one: the Conv2D that takes these pads pads its input itself.
    this.pads = { pads: this.pads ? this.pads.pads.map((q, i) => q + p[i]) : p, label: this.pads?.label ?? cfg.label, name: this.pads?.name ?? cfg.name };
  }

  cropping2d(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    this.rank(cfg, 3, 'height, width and channels');
    const [t, b, l, r] = sidesOf(cfg, 'cropping', 0);
    channelsLast(cfg);
    this.add({ layer: new Cropping2D({ cropping: [[t, b], [l, r]] }), label: cfg.label, name: cfg.name });
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
      this.add({ layer: a.make(), label: cfg.label, name: cfg.name });
    }
  }

  /** The layers read, each under its Keras layer's name (a ZeroPadding2D that no convolution took becomes one). */
  layers(): Layer[] {
    this.noPendingPads();
    return this.built.map((b) => {
      b.layer.name = b.name;
      b.layer.trainable = this.configs.get(b.name)?.get('trainable') !== false; // Keras's frozen layers stay frozen
      return b.layer;
    });
  }

  finish(): Layer[] {
    const layers = this.layers();
    if (!layers.length) throw new RangeError('Expected at least one Conv2D, MaxPooling2D, Dense or Flatten layer but the model has none');
    this.weights.checkAllUsed();
    return layers;
  }
}

export function readLayer(r: Reader, cfg: LayerConfig, first: boolean): void {
  r.configs.set(cfg.name, cfg);
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
    case 'PReLU':
      return r.activation(cfg, activationLayerOf(cfg, r.shape, r.weights));
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
      return r.add({ layer: new Permute({ dims: cfg.get('dims') as number[] }), label: cfg.label, name: cfg.name });
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
