import { Activation, type ActivationName, type ActivationOption, activationNames, canonicalActivation } from '../activation';
import type { ActivationOpParams, Backend } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape, product } from '../shape';
import { Tensor } from '../tensor';
import { elements, fail, finiteNumber, options } from '../validate';
import type { ChannelAffine, Planned } from './layer';
import { WeightlessLayer } from './weightless';

type Attributes = Omit<ActivationOpParams, 'm' | 'n' | 'inner'>;

/**
 * An activation as a layer of its own, over an input of any rank from 2 ([N, ...]): elementwise,
 * or softmax over one axis (the last by default). One backend call forward (the `activation`
 * op) and one backward (dx = dy f'(x), from x).
 */
export abstract class ElementwiseActivation extends WeightlessLayer {
  protected readonly input: { name: string; rank: number; atLeast: boolean };
  private readonly attributes: Attributes;
  /** The identity affine carrying this activation, per channel count (kept: a fold is checked by identity). */
  private readonly fused = new Map<number, ChannelAffine>();
  /** Softmax's axis, counting the batch axis (negative: from the end); -1 for the others. */
  protected readonly along: number;

  protected constructor(name: string, attributes: Attributes, along = -1) {
    super();
    this.input = { name, rank: 2, atLeast: true };
    this.attributes = attributes;
    this.along = along;
  }

  /** The input as outer x axis x inner: softmax runs along the axis, a strided row per outer and inner index. */
  private params(shape: readonly number[]): ActivationOpParams {
    const rank = shape.length, a = this.along < 0 ? rank + this.along : this.along;
    if (this.along < -rank || this.along >= rank) {
      throw new RangeError(`Expected axis in [${-rank}, ${rank - 1}] for ${this.input.name} of a rank-${rank} input but received ${this.along}`);
    }
    return { m: product(shape.slice(0, a)), n: shape[a], inner: product(shape.slice(a + 1)), ...this.attributes };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 2) throw new RangeError(`Expected ${this.input.name} input shape of rank 2 or more but received [${shape.join(', ')}]`);
    this.params(shape);
    return shape;
  }

  protected plan(shape: readonly number[], _b: Backend, linear = false): Planned {
    const params = this.params(shape);
    return { shape: [...shape], step: { op: 'activation', params: linear ? { ...params, activation: Activation.linear } : params } };
  }

  /** The activation code a layer's epilogue computes exactly as this layer does (a name with its default parameters; ReLU capped at 6 is relu6), or null. */
  private epilogueCode(): number | null {
    const a = this.attributes, same = (b: Attributes) => b.activation === a.activation && b.alpha === a.alpha && b.maxValue === a.maxValue && b.threshold === a.threshold;
    if (a.activation === Activation.relu && a.alpha === 0 && a.threshold === 0 && a.maxValue === 6) return Activation.relu6;
    const name = activationNames.find((n) => same(plain(n)));
    return name === undefined ? null : Activation[name];
  }

  /**
   * @internal As an affine for the linear layer before it to take in: the identity with this
   * activation, when that layer's epilogue computes it exactly as this layer does; with `linear`
   * (the activation left out) or another activation, null.
   */
  override channelAffine(shape: readonly number[], linear: boolean): ChannelAffine | null {
    const code = this.epilogueCode();
    // The epilogue's softmax runs over the last axis only.
    if (code === null || linear || (code === Activation.softmax && this.along !== -1 && this.along !== shape.length - 1)) return null;
    const c = shape[shape.length - 1];
    let affine = this.fused.get(c);
    if (!affine) this.fused.set(c, (affine = { scale: new Float32Array(c).fill(1), shift: new Float32Array(c), activation: code, identity: true }));
    return affine;
  }

  /** dx = dy f'(x), recomputed from x; with preActivation dy passes as it is. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const p = this.params(x.shape);
    if (preActivation) p.activation = Activation.linear;
    return {
      sync: () => ({ dx: new Tensor(b.activationBackward(x.data, dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.activationBackwardAsync(x.data, dy.data, p), x.shape) }),
    };
  }
}

/** An activation by name, with the parameters the name implies (Keras's defaults: leaky_relu's slope 0.2, elu's alpha 1). */
const plain = (activation: ActivationName): Attributes => ({
  activation: Activation[activation], alpha: activation === 'leaky_relu' ? Math.fround(0.2) : activation === 'elu' ? 1 : 0, maxValue: Infinity, threshold: 0,
});

export interface ActivationLayerOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  activation: ActivationOption;
}

/** Keras's Activation layer: any name of the activation option (softmax over the last axis). */
export class ActivationLayer extends ElementwiseActivation {
  readonly activation: ActivationName;

  constructor(opts: ActivationLayerOptions) {
    const o = options('Activation options', opts, false);
    const activation = canonicalActivation('activation', o.activation);
    super('Activation', plain(activation));
    this.nameFrom(opts);
    this.activation = activation;
  }
}

export interface ReLUOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** Upper bound (none by default). */
  maxValue?: number | null;
  /** Slope below the threshold (0 by default). */
  negativeSlope?: number;
  /** Where the identity starts (0 by default). */
  threshold?: number;
}

/** Keras's ReLU: maxValue from maxValue up, x from threshold, negativeSlope * (x - threshold) below. */
export class ReLU extends ElementwiseActivation {
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(opts?: ReLUOptions) {
    const o = options('ReLU options', opts, true);
    const maxValue = o.maxValue === undefined || o.maxValue === null ? null : finiteNumber('maxValue', o.maxValue), negativeSlope = finiteNumber('negativeSlope', o.negativeSlope ?? 0);
    const threshold = finiteNumber('threshold', o.threshold ?? 0);
    if (maxValue !== null && maxValue < 0) fail('range', 'non-negative number or null', 'maxValue', maxValue);
    if (negativeSlope < 0) fail('range', 'non-negative number', 'negativeSlope', negativeSlope);
    super('ReLU', { activation: Activation.relu, alpha: negativeSlope, maxValue: maxValue ?? Infinity, threshold });
    this.nameFrom(opts);
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
  }
}

/** tfjs's LeakyReLU: x above 0, alpha * x below (alpha 0.3 by default, as tfjs and Keras). */
export class LeakyReLU extends ElementwiseActivation {
  readonly alpha: number;

  constructor(opts?: { alpha?: number; name?: string }) {
    const alpha = finiteNumber('alpha', options('LeakyReLU options', opts, true).alpha ?? 0.3);
    super('LeakyReLU', { ...plain('leaky_relu'), alpha });
    this.nameFrom(opts);
    this.alpha = alpha;
  }
}

/** Keras's ELU: x above 0, alpha * (e^x - 1) below (alpha 1 by default). */
export class ELU extends ElementwiseActivation {
  readonly alpha: number;

  constructor(opts?: { alpha?: number; name?: string }) {
    const alpha = finiteNumber('alpha', options('ELU options', opts, true).alpha ?? 1);
    super('ELU', { ...plain('elu'), alpha });
    this.nameFrom(opts);
    this.alpha = alpha;
  }
}

/**
 * Softmax's axis: an integer counting the batch axis (negative: from the end), or a list of one
 * (as Keras 3 writes it); a softmax over several axes at once is not supported.
 */
export function softmaxAxis(v: unknown): number {
  const list = Array.isArray(v) ? elements('axis', v) : null;
  if (list && list.length !== 1) fail('range', 'one axis (an integer or a list of one; softmax over several axes at once is not supported)', 'axis', v);
  const axis = list ? list[0] : v;
  if (typeof axis !== 'number') fail('type', 'integer', 'axis', v);
  if (!Number.isInteger(axis) || Math.abs(axis) > 2 ** 31 - 1) fail('range', 'integer', 'axis', v);
  return axis === 0 ? 0 : axis;
}

/**
 * Keras's Softmax layer over one axis (axis counts the batch axis; -1, the last, by default):
 * any axis of the input, as strided rows (no transpose), each sum in float64, its max subtracted.
 */
export class Softmax extends ElementwiseActivation {
  readonly axis: number;

  constructor(opts?: { axis?: number | number[]; name?: string }) {
    const axis = softmaxAxis(options('Softmax options', opts, true).axis ?? -1);
    super('Softmax', plain('softmax'), axis);
    this.axis = axis;
    this.nameFrom(opts);
  }
}
