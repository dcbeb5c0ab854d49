// BatchNormalization's options, checked once at construction (Keras / TensorFlow.js names and
// defaults), and its weights' initial values.
import { activationCode, type ActivationName } from '../activation';
import { boolean, fail, finiteNumber, float32Array, integer, oneOf, options } from '../validate';

/** The initializers convkit's BatchNormalization takes (its weights are per channel constants). */
export type BatchNormInitializer = 'zeros' | 'ones';
const INITIALIZERS: readonly BatchNormInitializer[] = ['zeros', 'ones'];

export interface BatchNormalizationOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** The channel axis: -1 (default), or the input's last axis by number (3 for NHWC, 1 for [N, C]). */
  axis?: number;
  /** moving = moving - (moving - batch) * (1 - momentum) after each training step (default 0.99). */
  momentum?: number;
  /** Added to the variance before its square root (default 0.001). */
  epsilon?: number;
  /** Whether the layer has beta (an offset; default true). */
  center?: boolean;
  /** Whether the layer has gamma (a scale; default true). */
  scale?: boolean;
  betaInitializer?: BatchNormInitializer;
  gammaInitializer?: BatchNormInitializer;
  movingMeanInitializer?: BatchNormInitializer;
  movingVarianceInitializer?: BatchNormInitializer;
  /**
   * An activation after the normalization (default 'linear'): what a Keras BatchNormalization
   * followed by an Activation layer computes (loadModel reads that pair as one layer, save writes
   * it back as two). Inference only: fit refuses a BatchNormalization with an activation.
   */
  activation?: ActivationName;
  /** Initial weights, one float per channel (else the initializers' once the channels are known). */
  gamma?: Float32Array;
  beta?: Float32Array;
  movingMean?: Float32Array;
  movingVariance?: Float32Array;
}

export interface BatchNormSettings {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  activation: ActivationName;
  activationCode: number;
  initializers: { beta: BatchNormInitializer; gamma: BatchNormInitializer; movingMean: BatchNormInitializer; movingVariance: BatchNormInitializer };
}

/** The options checked, each error naming its option. */
export function checkBatchNormOptions(opts: unknown): { settings: BatchNormSettings; o: Record<string, unknown> } {
  const o = options('BatchNormalization options', opts, true);
  const axis = o.axis ?? -1;
  if (typeof axis !== 'number') fail('type', 'integer', 'axis', axis);
  if (axis !== -1) integer('axis', axis, 1); // 0 is the batch: refused; the rank is checked per input
  const momentum = finiteNumber('momentum', o.momentum ?? 0.99);
  if (momentum < 0 || momentum > 1) fail('range', 'number in [0, 1]', 'momentum', momentum);
  const epsilon = finiteNumber('epsilon', o.epsilon ?? 1e-3);
  if (!(epsilon > 0)) fail('range', 'positive finite number', 'epsilon', epsilon);
  const init = (name: string, fallback: BatchNormInitializer) => oneOf(name, o[name] ?? fallback, INITIALIZERS);
  const activation = (o.activation ?? 'linear') as ActivationName;
  const settings: BatchNormSettings = {
    axis, momentum, epsilon, activation, activationCode: activationCode('activation', activation),
    center: boolean('center', o.center ?? true),
    scale: boolean('scale', o.scale ?? true),
    initializers: {
      beta: init('betaInitializer', 'zeros'), gamma: init('gammaInitializer', 'ones'),
      movingMean: init('movingMeanInitializer', 'zeros'), movingVariance: init('movingVarianceInitializer', 'ones'),
    },
  };
  if (o.gamma !== undefined && !settings.scale) fail('type', 'no gamma (scale is false)', 'gamma', o.gamma);
  if (o.beta !== undefined && !settings.center) fail('type', 'no beta (center is false)', 'beta', o.beta);
  return { settings, o };
}

/** A weight of c channels: a copy of the given array, checked, or the initializer's values. */
export function channelWeight(name: string, given: unknown, c: number | null, init: BatchNormInitializer): Float32Array | null {
  if (given !== undefined && given !== null) {
    const a = float32Array(name, given);
    if (a.length === 0 || (c !== null && a.length !== c)) {
      throw new RangeError(`Expected ${name} of ${c ?? 'one float per'} channel${c === 1 ? '' : 's'} for BatchNormalization but received length ${a.length}`);
    }
    return a.slice();
  }
  return c === null ? null : new Float32Array(c).fill(init === 'ones' ? 1 : 0);
}
