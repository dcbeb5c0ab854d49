// Keras's Conv2DTranspose, UpSampling2D and Reshape read into convkit's layers (topology-read.ts
// places them; topology-write.ts writes them back).
import type { ActivationName } from '../activation';
import { Conv2DTranspose } from '../layers/conv2d-transpose';
import type { Layer } from '../layers/layer';
import { Reshape } from '../layers/reshape';
import { UpSampling2D } from '../layers/upsampling2d';
import { activationOf } from './activation-read';
import type { LayerConfig } from './keras-config';
import type { Dim } from '../models/layer-shapes';
import type { WeightStore } from './weights';

const channelsLast = (cfg: LayerConfig) => cfg.choice('data_format', ['channels_last'], 'channels_last');

/** A Conv2DTranspose over an input of `shape` (height, width, channels): the layer for any activation, and its own. */
export function readConv2DTranspose(cfg: LayerConfig, shape: Dim[], weights: WeightStore): { make: (a: ActivationName) => Layer; activation: ActivationName } {
  const filters = cfg.integer('filters'), kernelSize = cfg.pair('kernel_size');
  const strides = cfg.pair('strides', [1, 1]), padding = cfg.choice('padding', ['valid', 'same'] as const, 'valid');
  const op = cfg.get('output_padding');
  const outputPadding = op === undefined || op === null ? null : typeof op === 'number' ? [op, op] as [number, number] : op;
  if (outputPadding !== null && !(Array.isArray(outputPadding) && outputPadding.length === 2 && outputPadding.every((p) => Number.isInteger(p) && p >= 0))) {
    cfg.invalid('output_padding', op, 'null, a non-negative integer or [h, w]');
  }
  cfg.only('dilation_rate', [1, 1]);
  channelsLast(cfg);
  const activation = activationOf(cfg, 'linear'), useBias = cfg.boolean('use_bias', true);
  const channels = shape[2];
  if (channels === null) throw new RangeError(`${cfg.label}: its input has an unknown number of channels`);
  const kernel = weights.take(cfg.name, 'kernel', [...kernelSize, filters, channels], cfg.label);
  const bias = useBias ? { bias: weights.take(cfg.name, 'bias', [filters], cfg.label) } : {};
  const options = { filters, kernelSize, strides, padding, outputPadding: outputPadding as [number, number] | null, useBias, kernel, ...bias };
  return { make: (a) => new Conv2DTranspose({ ...options, activation: a }), activation };
}

export function readUpSampling2D(cfg: LayerConfig): Layer {
  const layer = new UpSampling2D({ size: cfg.pair('size', [2, 2]), interpolation: cfg.choice('interpolation', ['nearest', 'bilinear'] as const, 'nearest') });
  channelsLast(cfg);
  return layer;
}

export function readReshape(cfg: LayerConfig): Layer {
  const t = cfg.get('target_shape');
  if (!Array.isArray(t)) cfg.invalid('target_shape', t, 'array of positive integers (one may be -1)');
  return new Reshape({ targetShape: t as number[] });
}
