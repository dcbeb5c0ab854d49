// Shapes through a chain of layers without the batch dimension, as Keras declares them: height
// and width may be unknown (null) in a fully convolutional model. Known shapes go through the
// layers' own outputShape (which checks kernels against input depth); unknown ones keep the rank
// and the channels.
import { ElementwiseActivation } from '../layers/activation-layers';
import { Conv2D } from '../layers/conv2d';
import { Dense } from '../layers/dense';
import { Flatten } from '../layers/flatten';
import type { Layer } from '../layers/layer';
import { MaxPool2D } from '../layers/maxpool2d';
import { Pool2D } from '../layers/pooling';
import { GlobalPool2D } from '../layers/global-pool2d';
import { Cropping2D, ZeroPadding2D } from '../layers/padding2d';
import { BatchNormalization } from '../layers/batchnorm';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { product } from '../shape';
import { Conv2DTranspose } from '../layers/conv2d-transpose';
import { UpSampling2D } from '../layers/upsampling2d';
import { Reshape } from '../layers/reshape';
import { Permute } from '../layers/permute';
import { SeparableConv2D } from '../layers/separable-conv2d';
import { PReLU } from '../layers/prelu';
import { Concatenate } from '../layers/concatenate';
import type { MultiInputLayer } from '../layers/multi-input';

import type { Dim } from '../layers/symbolic';

export type { Dim };

/** A shape without its batch dimension as Keras shows it, with the batch: [null, 6, 6, 3]. */
export function showShape(shape: readonly Dim[]): string {
  return `[${[null, ...shape].map(String).join(', ')}]`;
}

/** Runs `f`, prefixing an error's message with `label` (keeping its class). */
export function labelled<T>(label: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error) e.message = `${label}: ${e.message}`;
    throw e;
  }
}

/** Refuses a Conv2D whose kernel (once it has one) was made for another input depth. */
function checkChannels(layer: Conv2D, channels: Dim, label: string): void {
  const { kernel } = layer.getWeights();
  const depth = kernel && kernel.length * layer.groups / (product(layer.kernelSize) * layer.filters);
  if (depth !== null && channels !== null && depth !== channels) {
    throw new RangeError(`${label}: its kernel expects ${depth} input channels but its input has ${channels}`);
  }
}

/** The output shape of `layer` for `shape` (no batch dimension); errors name `label`. */
export function nextShape(layer: Layer, shape: readonly Dim[], label: string): Dim[] {
  if (shape.every((d) => d !== null)) return labelled(label, () => layer.outputShape([1, ...(shape as number[])]).slice(1));
  if (layer instanceof Flatten) return [null];
  if (layer instanceof BatchNormalization) {
    const c = shape[shape.length - 1];
    if (layer.channels !== null && c !== null && c !== layer.channels) throw new RangeError(`${label}: it normalizes ${layer.channels} channels but its input has ${c}`);
    return [...shape];
  }
  if (layer instanceof ElementwiseActivation || layer instanceof PReLU) return [...shape]; // unknown sizes stay unknown
  if (layer instanceof Dense) {
    throw new RangeError(`${label}: needs a known number of input features but its input shape is ${showShape(shape)} (give the input height and width)`);
  }
  if (shape.length !== 3) throw new RangeError(`${label}: expects height, width and channels but its input shape is ${showShape(shape)}`);
  if (layer instanceof Conv2D) {
    checkChannels(layer, shape[2], label);
    return [null, null, layer.filters];
  }
  if (layer instanceof MaxPool2D) return [null, null, shape[2]];
  if (layer instanceof Pool2D) return [null, null, shape[2]];
  if (layer instanceof ZeroPadding2D || layer instanceof Cropping2D) return [null, null, shape[2]];
  if (layer instanceof GlobalPool2D) return layer.keepdims ? [1, 1, shape[2]] : [shape[2]];
  if (layer instanceof DepthwiseConv2D) return [null, null, shape[2] === null ? null : shape[2] * layer.depthMultiplier];
  if (layer instanceof Conv2DTranspose || layer instanceof SeparableConv2D) return [null, null, layer.filters];
  if (layer instanceof UpSampling2D) return [null, null, shape[2]];
  if (layer instanceof Permute) return layer.dims.map((d) => shape[d - 1]);
  if (layer instanceof Reshape) throw new RangeError(`${label}: needs a known input shape but its input shape is ${showShape(shape)}`);
  throw new TypeError(`${label}: not a layer convkit can save or load`);
}

/**
 * The output shape of a merge layer for inputs of these shapes (no batch axis): its own check
 * when every size is known; else, elementwise, each axis the size of the inputs that are not 1
 * (unknown when none is known), and Concatenate's axis the sum when every size on it is known.
 */
export function mergeShape(layer: MultiInputLayer, shapes: readonly (readonly Dim[])[], label: string): Dim[] {
  if (shapes.every((s) => s.every((d) => d !== null))) {
    return labelled(label, () => layer.outputShape(shapes.map((s) => [1, ...(s as number[])])).slice(1));
  }
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) throw new RangeError(`${label}: expects inputs of one rank but they have shapes ${shapes.map(showShape).join(', ')}`);
  if (layer instanceof Concatenate) {
    const axis = (layer.axis < 0 ? rank + 1 + layer.axis : layer.axis) - 1;
    if (axis < 0 || axis >= rank) throw new RangeError(`${label}: axis ${layer.axis} is not an axis of inputs of rank ${rank + 1}`);
    return shapes[0].map((_, k) => (k === axis ? (shapes.every((s) => s[k] !== null) ? shapes.reduce((n, s) => n + (s[k] as number), 0) : null) : shapes.find((s) => s[k] !== null)?.[k] ?? null));
  }
  return shapes[0].map((_, k) => shapes.find((s) => s[k] !== null && s[k] !== 1)?.[k] ?? (shapes.every((s) => s[k] === 1) ? 1 : null));
}
