// Keras's BatchNormalization in the model format: read from a layer config and its weights
// (gamma, beta, moving_mean, moving_variance), written back the same way. An Activation right
// after it becomes its activation (topology-read.ts) and is written back as a layer of its own.
import { BatchNormalization, type BatchNormInitializer } from '../layers/batchnorm';
import type { LayerConfig } from './keras-config';
import type { Dim } from '../models/layer-shapes';
import type { WeightStore } from './weights';

const INITIALIZERS: Record<string, BatchNormInitializer> = { Zeros: 'zeros', Ones: 'ones', zeros: 'zeros', ones: 'ones' };

/**
 * An initializer option: 'zeros' or 'ones' (a Keras { class_name: 'Zeros' } object or its name);
 * any other only changes weights that the file gives anyway, so it reads as the default.
 */
function initializer(cfg: LayerConfig, key: string): BatchNormInitializer | undefined {
  const v = cfg.get(key);
  const name = typeof v === 'object' && v !== null ? (v as { class_name?: unknown }).class_name : v;
  return typeof name === 'string' ? INITIALIZERS[name] : undefined;
}

/** The channel axis: -1, or the last axis of the input (Keras 2 writes it as [3] once built). */
function axisOf(cfg: LayerConfig, rank: number): number {
  const v = cfg.get('axis') ?? -1;
  const axis = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (axis !== -1 && axis !== rank) {
    // The shape here has no batch dimension: the last axis of the input is `rank`.
    cfg.unsupported('axis', v, `-1 or ${rank} (the channels, last: convkit normalizes channels-last data)`);
  }
  return axis;
}

function positive(cfg: LayerConfig, key: string, fallback: number, max = Infinity): number {
  const v = cfg.get(key) ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max || (key === 'epsilon' && v === 0)) {
    return cfg.invalid(key, v, key === 'epsilon' ? 'positive number' : 'number in [0, 1]');
  }
  return v;
}

export function readBatchNormalization(cfg: LayerConfig, shape: readonly Dim[], weights: WeightStore): { layer: BatchNormalization; make: (a: BatchNormalization['activation']) => BatchNormalization } {
  axisOf(cfg, shape.length);
  const c = shape[shape.length - 1];
  if (c === null) throw new RangeError(`${cfg.label}: its input has an unknown number of channels`);
  const momentum = positive(cfg, 'momentum', 0.99, 1), epsilon = positive(cfg, 'epsilon', 1e-3);
  const center = cfg.boolean('center', true), scale = cfg.boolean('scale', true);
  cfg.only('renorm', false);
  cfg.get('renorm_momentum'); // used only with renorm
  cfg.get('fused'); // how TensorFlow computes the same values
  cfg.only('virtual_batch_size', null);
  for (const key of ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']) cfg.get(key); // training-only
  const take = (kind: string) => weights.take(cfg.name, kind, [c], cfg.label);
  const options = {
    axis: -1, momentum, epsilon, center, scale,
    betaInitializer: initializer(cfg, 'beta_initializer'), gammaInitializer: initializer(cfg, 'gamma_initializer'),
    movingMeanInitializer: initializer(cfg, 'moving_mean_initializer'), movingVarianceInitializer: initializer(cfg, 'moving_variance_initializer'),
    ...(scale ? { gamma: take('gamma') } : {}), ...(center ? { beta: take('beta') } : {}),
    movingMean: take('moving_mean'), movingVariance: take('moving_variance'),
  };
  const make = (activation: BatchNormalization['activation']) => new BatchNormalization({ ...options, activation });
  return { layer: make('linear'), make };
}

const initializerConfig = (name: BatchNormInitializer) => ({ class_name: name === 'ones' ? 'Ones' : 'Zeros', config: {} });

/** The config and weights (gamma, beta, moving_mean, moving_variance, in Keras's order) of a layer. */
export function batchNormalizationConfig(layer: BatchNormalization, shape: readonly Dim[]): { config: Record<string, unknown>; weights: [string, Float32Array][] } {
  if (layer.channels === null) layer.outputShape([1, ...shape.map((d) => d ?? 1)]); // makes the weights from the channels
  const w = layer.getWeights(), i = layer.initializers;
  const config = {
    axis: -1, momentum: layer.momentum, epsilon: layer.epsilon, center: layer.center, scale: layer.scale,
    beta_initializer: initializerConfig(i.beta), gamma_initializer: initializerConfig(i.gamma),
    moving_mean_initializer: initializerConfig(i.movingMean), moving_variance_initializer: initializerConfig(i.movingVariance),
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
  };
  const weights: [string, Float32Array][] = [];
  if (w.gamma) weights.push(['gamma', w.gamma]);
  if (w.beta) weights.push(['beta', w.beta]);
  weights.push(['moving_mean', w.movingMean!], ['moving_variance', w.movingVariance!]);
  return { config, weights };
}
