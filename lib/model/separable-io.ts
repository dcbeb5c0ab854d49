// Keras's SeparableConv2D read into convkit's (topology-read.ts reads its depthwise part as a
// DepthwiseConv2D's; topology-write.ts writes it back).
import type { ActivationName } from '../activation';
import type { Layer } from '../layers/layer';
import { SeparableConv2D, type SeparableConv2DOptions } from '../layers/separable-conv2d';
import type { LayerConfig } from './keras-config';
import type { WeightStore } from './weights';

/**
 * Its depth_multiplier; tfjs-layers (4.22) writes none for SeparableConv2D, and its depthwise
 * kernel's last axis then says what it is.
 */
export function separableMultiplier(cfg: LayerConfig, weights: WeightStore): number {
  if (cfg.get('depth_multiplier') !== undefined) return cfg.integer('depth_multiplier');
  return weights.shapeOf(cfg.name, 'depthwise_kernel')?.[3] ?? 1;
}

/**
 * The layer for any activation, from its depthwise window and kernel (read as DepthwiseConv2D's)
 * and its own filters, pointwise_kernel [1, 1, depth, filters] and bias.
 */
export function separableMaker(cfg: LayerConfig, window: Omit<SeparableConv2DOptions, 'filters'>, depthwiseKernel: Float32Array, depth: number,
  weights: WeightStore): (a: ActivationName) => Layer {
  const filters = cfg.integer('filters');
  const pointwiseKernel = weights.take(cfg.name, 'pointwise_kernel', [1, 1, depth, filters], cfg.label);
  const bias = window.useBias ? { bias: weights.take(cfg.name, 'bias', [filters], cfg.label) } : {};
  return (a) => new SeparableConv2D({ ...window, filters, depthwiseKernel, pointwiseKernel, ...bias, activation: a });
}
