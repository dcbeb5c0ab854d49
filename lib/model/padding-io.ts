// ZeroPadding2D's padding and Cropping2D's cropping in the Keras format: p, [h, w] or
// [[top, bottom], [left, right]] read as [top, bottom, left, right]; written in the last form.
import { Cropping2D, ZeroPadding2D } from '../layers/padding2d';
import type { Layer } from '../layers/layer';
import type { LayerConfig } from './keras-config';

export function sidesOf(cfg: LayerConfig, key: string, fallback: number): [number, number, number, number] {
  const v = cfg.get(key) ?? fallback;
  const sides = typeof v === 'number' ? [v, v, v, v]
    : Array.isArray(v) && v.length === 2 && v.every((p) => typeof p === 'number') ? [v[0], v[0], v[1], v[1]]
    : Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2) ? [...v[0], ...v[1]]
    : null;
  if (!sides || !sides.every((p) => Number.isInteger(p) && p >= 0)) return cfg.invalid(key, v, 'p, [h, w] or [[top, bottom], [left, right]] of non-negative integers');
  return sides as [number, number, number, number];
}

/** [className, base name, config] of a ZeroPadding2D or Cropping2D layer, or null for another layer. */
export function writePadding(layer: Layer): [string, string, Record<string, unknown>] | null {
  if (layer instanceof ZeroPadding2D) {
    const [t, b, l, r] = layer.padding;
    return ['ZeroPadding2D', 'zero_padding2d', { padding: [[t, b], [l, r]], data_format: 'channels_last' }];
  }
  if (layer instanceof Cropping2D) {
    const [t, b, l, r] = layer.cropping;
    return ['Cropping2D', 'cropping2d', { cropping: [[t, b], [l, r]], data_format: 'channels_last' }];
  }
  return null;
}
