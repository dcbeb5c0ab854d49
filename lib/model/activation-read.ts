// The activation layers of a Keras topology (Activation, ReLU, LeakyReLU, ELU, Softmax) and the
// activation option of Conv2D and Dense: the activation name each computes, when one does, and
// the standalone layer that computes it otherwise (topology-read.ts folds a named one into the
// linear Conv2D or Dense before it).
import { type ActivationName, activationOptions, canonicalActivation } from '../activation';
import { ActivationLayer, ELU, LeakyReLU, ReLU, Softmax, softmaxAxis } from '../layers/activation-layers';
import type { Layer } from '../layers/layer';
import type { LayerConfig } from './keras-config';
import { readPReLU } from './prelu-io';
import type { Dim } from '../models/layer-shapes';
import type { WeightStore } from './weights';

/** The activation option (required unless `fallback` is given), among convkit's activations (an alias read as the name it stands for). */
export function activationOf(cfg: LayerConfig, fallback?: ActivationName): ActivationName {
  // The list is read at run time: it grows as convkit gains activations.
  return canonicalActivation('activation', cfg.choice('activation', activationOptions, fallback));
}

/** A finite number option, or `fallback` when absent or null. */
function numberOf(cfg: LayerConfig, key: string, fallback: number): number {
  const v = cfg.get(key) ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) return cfg.invalid(key, v, 'finite number');
  return v;
}

/** Whether a float32 option (tfjs writes them rounded) is this value. */
const is = (v: number, value: number) => Math.fround(v) === Math.fround(value);

/** An activation layer: the activation name it computes (null: parameters no name has) and the layer. */
export interface ActivationRead {
  name: ActivationName | null;
  make(): Layer;
}

/** ReLU(max_value, negative_slope, threshold): relu, or relu6 with max_value 6, where the others are 0. */
function reluOf(cfg: LayerConfig): ActivationRead {
  const negativeSlope = numberOf(cfg, 'negative_slope', 0), threshold = numberOf(cfg, 'threshold', 0);
  const max = cfg.get('max_value');
  const maxValue = max === undefined || max === null ? null : numberOf(cfg, 'max_value', 0);
  const plain = negativeSlope === 0 && threshold === 0;
  const name = !plain ? null : maxValue === null ? 'relu' : is(maxValue, 6) ? 'relu6' : null;
  return { name, make: () => new ReLU({ maxValue, negativeSlope, threshold }) };
}

/**
 * Softmax(axis): any one axis counting the batch axis (negative: from the end), an integer or,
 * as Keras 3 may write it, a list of one; the last axis is the softmax activation's.
 */
function softmaxOf(cfg: LayerConfig, rank: number): ActivationRead {
  const v = cfg.get('axis') ?? -1;
  let axis: number;
  try {
    axis = softmaxAxis(v);
  } catch {
    return cfg.unsupported('axis', v, 'one axis, an integer or a list of one (a softmax over several axes at once is not supported)');
  }
  if (axis < -rank - 1 || axis > rank) cfg.unsupported('axis', v, `an axis in [${-rank - 1}, ${rank}] (the input has ${rank} axes after the batch)`);
  return { name: axis === -1 || axis === rank ? 'softmax' : null, make: () => new Softmax({ axis }) };
}

/** An activation layer's config (shape: of its input, without the batch; weights: PReLU's alpha). */
export function activationLayerOf(cfg: LayerConfig, shape: readonly Dim[], weights: WeightStore): ActivationRead {
  switch (cfg.className) {
    case 'Activation': {
      const activation = activationOf(cfg);
      return { name: activation, make: () => new ActivationLayer({ activation }) };
    }
    case 'ReLU':
      return reluOf(cfg);
    case 'LeakyReLU': {
      // tfjs writes alpha, Keras 3 negative_slope (both 0.3 by default); the leaky_relu name has Keras 3's function default 0.2.
      const alpha = numberOf(cfg, cfg.get('negative_slope') === undefined ? 'alpha' : 'negative_slope', 0.3);
      return { name: is(alpha, 0.2) ? 'leaky_relu' : null, make: () => new LeakyReLU({ alpha }) };
    }
    case 'ELU': {
      const alpha = numberOf(cfg, 'alpha', 1);
      return { name: alpha === 1 ? 'elu' : null, make: () => new ELU({ alpha }) };
    }
    case 'PReLU': {
      const layer = readPReLU(cfg, shape, weights);
      return { name: null, make: () => layer };
    }
    default:
      return softmaxOf(cfg, shape.length);
  }
}
