// convkit layers -> a Keras Sequential topology that Keras and tfjs read, and its weights under
// the names they give them (conv2d_1/kernel, conv2d_1/bias, ...). Where convkit and Keras say
// one thing two ways, the Keras way is written: explicit Conv2D pads become a ZeroPadding2D layer
// before it, and a Dense on an image gets the Flatten that convkit's Dense does implicitly.
// Activation names are the same in both, but leaky_relu, which tfjs-layers does not name: it is
// written as a LeakyReLU layer after its linear Conv2D or Dense, which both read.
import type { ActivationName } from '../activation';
import { backend } from '../backends/select';
import { ActivationLayer, ELU, LeakyReLU, ReLU, Softmax } from '../layers/activation-layers';
import { BatchNormalization } from '../layers/batchnorm';
import { PReLU } from '../layers/prelu';
import { preluConfig } from './prelu-io';
import { batchNormalizationConfig } from './batchnorm-config';
import { Conv2D } from '../layers/conv2d';
import { Dense } from '../layers/dense';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { Flatten } from '../layers/flatten';
import type { Layer, Weights } from '../layers/layer';
import { writePooling } from './pooling-io';
import { writePadding } from './padding-io';
import { product } from '../shape';
import { Conv2DTranspose } from '../layers/conv2d-transpose';
import { SeparableConv2D } from '../layers/separable-conv2d';
import { UpSampling2D } from '../layers/upsampling2d';
import { Reshape } from '../layers/reshape';
import { Permute } from '../layers/permute';
import { show } from './keras-config';
import { type Dim, nextShape } from '../models/layer-shapes';
import type { NamedWeight } from './weights';

type KerasLayer = { class_name: string; config: Record<string, unknown> };

export class Writer {
  readonly layers: KerasLayer[] = [];
  readonly weights: NamedWeight[] = [];
  private readonly counts = new Map<string, number>();

  /** inputShape: what the first layer declares (a Sequential's); null for a functional model, whose InputLayers declare theirs. */
  constructor(private readonly inputShape: Dim[] | null) {}

  /** Appends a layer named like Keras's (conv2d_1, conv2d_2, dense_1, ...); returns its name. */
  push(className: string, base: string, config: Record<string, unknown>): string {
    const n = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, n);
    const name = `${base}_${n}`;
    const first = this.layers.length || !this.inputShape ? {} : { batch_input_shape: [null, ...this.inputShape] };
    this.layers.push({ class_name: className, config: { name, trainable: true, dtype: 'float32', ...first, ...config } });
    return name;
  }

  /** The kernel, of shape [...window, depth, units], and the bias, under the layer's name. */
  pushWeights(name: string, { kernel, bias }: Weights, window: number[], units: number): void {
    const shape = [...window, kernel!.length / (product(window) * units), units];
    this.weights.push({ name: `${name}/kernel`, shape, values: kernel! });
    if (bias) this.weights.push({ name: `${name}/bias`, shape: [units], values: bias });
  }
}

/** The activation name to write in a Conv2D or Dense, and after it (once its weights are pushed) the layer that applies it instead, if any. */
function activationOf(w: Writer, activation: ActivationName): { name: ActivationName; after(): void } {
  if (activation !== 'leaky_relu') return { name: activation, after: () => {} };
  return { name: 'linear', after: () => w.push('LeakyReLU', 'leaky_re_lu', { alpha: 0.2 }) };
}

function conv2d(w: Writer, layer: Conv2D, label: string): void {
  const { strides, dilationRate } = layer;
  const padding = kerasPadding(w, layer, label);
  const weights = layer.getWeights(), activation = activationOf(w, layer.activation);
  const name = w.push('Conv2D', 'conv2d', {
    filters: layer.filters, kernel_size: layer.kernelSize, strides, padding, data_format: 'channels_last',
    dilation_rate: dilationRate, activation: activation.name, use_bias: weights.bias !== null,
    // Only when grouped: TensorFlow.js's Conv2D has no groups.
    ...(layer.groups > 1 ? { groups: layer.groups } : {}),
  });
  w.pushWeights(name, weights, layer.kernelSize, layer.filters);
  activation.after();
}

/** Keras's padding for a convolution: explicit pads become a ZeroPadding2D layer before it. */
function kerasPadding(w: Writer, layer: Conv2D | DepthwiseConv2D | SeparableConv2D, label: string): 'valid' | 'same' {
  const { strides, dilationRate } = layer;
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
    throw new RangeError(`${label}: strides ${show(strides)} with dilationRate ${show(dilationRate)} cannot be saved (Keras and TensorFlow.js refuse dilation with strides above 1)`);
  }
  if (!Array.isArray(layer.padding)) return layer.padding;
  const [t, b, l, r] = layer.padding;
  if (t || b || l || r) w.push('ZeroPadding2D', 'zero_padding2d', { padding: [[t, b], [l, r]], data_format: 'channels_last' });
  return 'valid';
}

function depthwiseConv2d(w: Writer, layer: DepthwiseConv2D, label: string): void {
  const padding = kerasPadding(w, layer, label);
  const { kernel, bias } = layer.getWeights(), activation = activationOf(w, layer.activation);
  const name = w.push('DepthwiseConv2D', 'depthwise_conv2d', {
    kernel_size: layer.kernelSize, strides: layer.strides, padding, data_format: 'channels_last', depth_multiplier: layer.depthMultiplier,
    dilation_rate: layer.dilationRate, activation: activation.name, use_bias: bias !== null,
  });
  const channels = kernel!.length / (layer.kernelSize[0] * layer.kernelSize[1] * layer.depthMultiplier);
  w.weights.push({ name: `${name}/depthwise_kernel`, shape: [...layer.kernelSize, channels, layer.depthMultiplier], values: kernel! });
  if (bias) w.weights.push({ name: `${name}/bias`, shape: [bias.length], values: bias });
  activation.after();
}

/** SeparableConv2D: Keras's weights depthwise_kernel, pointwise_kernel, bias, in that order. */
function separableConv2d(w: Writer, layer: SeparableConv2D, label: string): void {
  const padding = kerasPadding(w, layer, label);
  const { depthwiseKernel, pointwiseKernel, bias } = layer.getWeights(), activation = activationOf(w, layer.activation);
  const name = w.push('SeparableConv2D', 'separable_conv2d', {
    filters: layer.filters, kernel_size: layer.kernelSize, strides: layer.strides, padding, data_format: 'channels_last',
    depth_multiplier: layer.depthMultiplier, dilation_rate: layer.dilationRate, activation: activation.name, use_bias: bias !== null,
  });
  const depth = pointwiseKernel!.length / layer.filters;
  w.weights.push({ name: `${name}/depthwise_kernel`, shape: [...layer.kernelSize, depth / layer.depthMultiplier, layer.depthMultiplier], values: depthwiseKernel! });
  w.weights.push({ name: `${name}/pointwise_kernel`, shape: [1, 1, depth, layer.filters], values: pointwiseKernel! });
  if (bias) w.weights.push({ name: `${name}/bias`, shape: [bias.length], values: bias });
  activation.after();
}

function conv2dTranspose(w: Writer, layer: Conv2DTranspose, label: string): void {
  if (Array.isArray(layer.padding)) {
    throw new RangeError(`${label}: padding ${show(layer.padding)} cannot be saved (Keras's Conv2DTranspose takes 'valid' or 'same')`);
  }
  const weights = layer.getWeights(), activation = activationOf(w, layer.activation);
  const name = w.push('Conv2DTranspose', 'conv2d_transpose', {
    filters: layer.filters, kernel_size: layer.kernelSize, strides: layer.strides, padding: layer.padding, output_padding: layer.outputPadding,
    data_format: 'channels_last', dilation_rate: layer.dilationRate, activation: activation.name, use_bias: weights.bias !== null,
  });
  // The kernel is [kh, kw, filters, inChannels]: filters stand where pushWeights puts the depth.
  const depth = weights.kernel!.length / (product(layer.kernelSize) * layer.filters);
  w.weights.push({ name: `${name}/kernel`, shape: [...layer.kernelSize, layer.filters, depth], values: weights.kernel! });
  if (weights.bias) w.weights.push({ name: `${name}/bias`, shape: [layer.filters], values: weights.bias });
  activation.after();
}

function upSampling2d(w: Writer, layer: UpSampling2D): void {
  w.push('UpSampling2D', 'up_sampling2d', { size: layer.size, interpolation: layer.interpolation, data_format: 'channels_last' });
}

function flatten(w: Writer): void {
  w.push('Flatten', 'flatten', { data_format: 'channels_last' });
}

function dense(w: Writer, layer: Dense, shape: Dim[]): void {
  if (shape.length > 1) flatten(w); // Keras's Dense would act on the last axis
  const weights = layer.getWeights(), activation = activationOf(w, layer.activation);
  const name = w.push('Dense', 'dense', { units: layer.units, activation: activation.name, use_bias: weights.bias !== null });
  w.pushWeights(name, weights, [], layer.units);
  activation.after();
}

/** A standalone activation layer as the Keras layer of its class. */
function activationLayer(w: Writer, layer: Layer): void {
  if (layer instanceof ActivationLayer) {
    if (layer.activation === 'leaky_relu') w.push('LeakyReLU', 'leaky_re_lu', { alpha: 0.2 });
    else w.push('Activation', 'activation', { activation: layer.activation });
  } else if (layer instanceof ReLU) {
    // tfjs's ReLU knows max_value only: the others are written when they are not 0.
    const { maxValue, negativeSlope, threshold } = layer;
    w.push('ReLU', 're_lu', { max_value: maxValue, ...(negativeSlope ? { negative_slope: negativeSlope } : {}), ...(threshold ? { threshold } : {}) });
  } else if (layer instanceof LeakyReLU) {
    w.push('LeakyReLU', 'leaky_re_lu', { alpha: layer.alpha });
  } else if (layer instanceof ELU) {
    w.push('ELU', 'elu', { alpha: layer.alpha });
  } else if (layer instanceof Softmax) {
    w.push('Softmax', 'softmax', { axis: layer.axis });
  }
}

/** A PReLU and its alpha in Keras's shape. */
function prelu(w: Writer, layer: PReLU, shape: Dim[]): void {
  const { config, alpha, alphaShape } = preluConfig(layer, shape);
  const name = w.push('PReLU', 'p_re_lu', config);
  w.weights.push({ name: `${name}/alpha`, shape: alphaShape, values: alpha });
}

/** A BatchNormalization, and its activation as an Activation layer after it. */
function batchNormalization(w: Writer, layer: BatchNormalization, shape: Dim[]): void {
  const { config, weights } = batchNormalizationConfig(layer, shape);
  const name = w.push('BatchNormalization', 'batch_normalization', config);
  for (const [kind, values] of weights) w.weights.push({ name: `${name}/${kind}`, shape: [values.length], values });
  if (layer.activation !== 'linear') w.push('Activation', 'activation', { activation: layer.activation });
}

/**
 * Makes the kernel of a Conv2D or Dense that has none yet (it is made on the first forward), as
 * that forward would: from the input shape, which must then be known.
 */
function ensureWeights(layer: Layer, shape: Dim[], label: string): void {
  const weighted = layer instanceof Conv2D || layer instanceof Dense || layer instanceof DepthwiseConv2D || layer instanceof Conv2DTranspose;
  const w = layer.getWeights();
  if (!(weighted || layer instanceof SeparableConv2D) || w.kernel || (w.depthwiseKernel && w.pointwiseKernel)) return;
  if (shape.some((d) => d === null)) {
    throw new RangeError(`${label}: has no weights yet (they are made on its first forward): run the model once or give a complete inputShape`);
  }
  layer.planStep([1, ...(shape as number[])], backend());
}

/** Appends the Keras layers that say what `layer` computes for an input of `shape` (one, or with a ZeroPadding2D, Flatten or activation layer around it). */
export function writeLayer(w: Writer, layer: Layer, shape: Dim[], label: string): void {
  ensureWeights(layer, shape, label);
  if (layer instanceof Conv2D) conv2d(w, layer, label);
  else if (writePooling(layer, label)) w.push(...writePooling(layer, label)!);
  else if (writePadding(layer)) w.push(...writePadding(layer)!);
  else if (layer instanceof Dense) dense(w, layer, shape);
  else if (layer instanceof Flatten) flatten(w);
  else if (layer instanceof BatchNormalization) batchNormalization(w, layer, shape);
  else if (layer instanceof DepthwiseConv2D) depthwiseConv2d(w, layer, label);
  else if (layer instanceof SeparableConv2D) separableConv2d(w, layer, label);
  else if (layer instanceof Conv2DTranspose) conv2dTranspose(w, layer, label);
  else if (layer instanceof UpSampling2D) upSampling2d(w, layer);
  else if (layer instanceof Reshape) w.push('Reshape', 'reshape', { target_shape: [...layer.targetShape] });
  else if (layer instanceof Permute) w.push('Permute', 'permute', { dims: [...layer.dims] });
  else if (layer instanceof PReLU) prelu(w, layer, shape);
  else activationLayer(w, layer);
}

/** The Keras Sequential topology of `layers` for inputs of `inputShape` (no batch dimension), and its weights in order. */
export function writeSequential(layers: readonly Layer[], inputShape: Dim[]): { modelTopology: Record<string, unknown>; weights: NamedWeight[] } {
  const w = new Writer(inputShape);
  let shape = [...inputShape];
  layers.forEach((layer, i) => {
    const label = `layers[${i}] (${layer.constructor.name})`;
    const next = nextShape(layer, shape, label);
    writeLayer(w, layer, shape, label);
    shape = next;
  });
  return { modelTopology: { class_name: 'Sequential', config: { name: 'sequential_1', layers: w.layers }, backend: 'tensor_flow.js' }, weights: w.weights };
}
