// The pooling layers in the Keras format: AveragePooling2D, GlobalAveragePooling2D and
// GlobalMaxPooling2D read from their configs (pool_size, strides, padding, keepdims,
// data_format: channels_last only) and written back. MaxPooling2D shares the window writer.
import { AveragePooling2D } from '../layers/avgpool2d';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pool2d';
import type { Layer } from '../layers/layer';
import { MaxPool2D } from '../layers/maxpool2d';
import type { Pool2D } from '../layers/pooling';
import { type LayerConfig, show } from './keras-config';

/** Keras's pooling class names convkit reads (and the aliases Keras registers). */
export const POOLING_LAYERS: Record<string, string> = {
  AveragePooling2D: 'AveragePooling2D', AvgPool2D: 'AveragePooling2D',
  GlobalAveragePooling2D: 'GlobalAveragePooling2D', GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPooling2D: 'GlobalMaxPooling2D', GlobalMaxPool2D: 'GlobalMaxPooling2D',
};

/** The layer of a pooling config whose class name is a key of POOLING_LAYERS. */
export function readPooling(cfg: LayerConfig): Layer {
  cfg.choice('data_format', ['channels_last'], 'channels_last');
  const kind = POOLING_LAYERS[cfg.className];
  if (kind === 'AveragePooling2D') {
    const poolSize = cfg.pair('pool_size', [2, 2]);
    return new AveragePooling2D({ poolSize, strides: cfg.pair('strides', poolSize), padding: cfg.choice('padding', ['valid', 'same'] as const, 'valid') });
  }
  const keepdims = cfg.boolean('keepdims', false);
  return kind === 'GlobalMaxPooling2D' ? new GlobalMaxPooling2D({ keepdims }) : new GlobalAveragePooling2D({ keepdims });
}

/** A window pool's Keras config; refuses what Keras's layer cannot say. */
export function windowConfig(layer: Pool2D, className: string, label: string): Record<string, unknown> {
  const padding = Array.isArray(layer.padding) && layer.padding.every((p) => p === 0) ? 'valid' : layer.padding;
  if (Array.isArray(padding)) {
    throw new RangeError(`${label}: padding ${show(padding)} cannot be saved (Keras's ${className} takes 'valid' or 'same')`);
  }
  if (layer.dilationRate.some((d) => d > 1)) {
    throw new RangeError(`${label}: dilationRate ${show(layer.dilationRate)} cannot be saved (Keras's ${className} has no dilation)`);
  }
  return { pool_size: layer.poolSize, strides: layer.strides, padding, data_format: 'channels_last' };
}

/** [className, base name, config] of a pooling layer, or null for another layer. */
export function writePooling(layer: Layer, label: string): [string, string, Record<string, unknown>] | null {
  if (layer instanceof MaxPool2D) return ['MaxPooling2D', 'max_pooling2d', windowConfig(layer, 'MaxPooling2D', label)];
  if (layer instanceof AveragePooling2D) {
    if (layer.countIncludePad) throw new RangeError(`${label}: countIncludePad true cannot be saved (Keras's AveragePooling2D averages only the cells inside the image)`);
    return ['AveragePooling2D', 'average_pooling2d', windowConfig(layer, 'AveragePooling2D', label)];
  }
  if (layer instanceof GlobalAveragePooling2D) return ['GlobalAveragePooling2D', 'global_average_pooling2d', { data_format: 'channels_last', keepdims: layer.keepdims }];
  if (layer instanceof GlobalMaxPooling2D) return ['GlobalMaxPooling2D', 'global_max_pooling2d', { data_format: 'channels_last', keepdims: layer.keepdims }];
  return null;
}
