import { Activation, type ActivationName } from '../activation';
import type { Backend, BatchNormTrainParams } from '../backends/backend';
import { backend } from '../backends/select';
import type { GradCall } from '../grad/gradients';
import { checkShape } from '../shape';
import { Tensor, tensorOf } from '../tensor';
import { options } from '../validate';
import { type BatchNormalizationOptions, type BatchNormSettings, channelWeight, checkBatchNormOptions } from './batchnorm-options';
import { type ChannelAffine, Layer, type Planned, runAsync, type Weights } from './layer';
import type { Trainable } from './trainable';

export type { BatchNormalizationOptions, BatchNormInitializer } from './batchnorm-options';

const KEYS = ['gamma', 'beta', 'movingMean', 'movingVariance'] as const;
type Key = (typeof KEYS)[number];

/** The inference affine and its [scale | shift] array, the standalone op's weights. */
interface Affine extends ChannelAffine {
  scaleShift: Float32Array;
}

/**
 * Keras BatchNormalization over the channels, the last axis ([N, H, W, C] or [N, C]). Inference:
 * y = (x - movingMean) / sqrt(movingVariance + epsilon) * gamma + beta, which a Sequential folds
 * into a linear Conv2D or Dense just before it, and which otherwise runs as a per-channel
 * y = x * s + t. In fit: the batch's mean and (biased) variance, and the moving ones updated.
 */
export class BatchNormalization extends Layer {
  protected readonly input = { name: 'BatchNormalization', rank: 2, atLeast: true };
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly initializers: BatchNormSettings['initializers'];
  readonly activation: ActivationName;
  private readonly activationCode: number;
  private w: Record<Key, Float32Array | null> = { gamma: null, beta: null, movingMean: null, movingVariance: null };
  private affine: Affine | null = null;
  /** The affine with each activation code, for the layer before to fold. */
  private folds = new Map<number, ChannelAffine>();
  /** fit is training the layer: forwards use the batch's statistics, kept for the backward. */
  private training = false;
  private batch: { x: Float32Array; mean: Float32Array; variance: Float32Array } | null = null;

  constructor(opts?: BatchNormalizationOptions) {
    super();
    this.nameFrom(opts);
    const { settings: s, o } = checkBatchNormOptions(opts);
    this.axis = s.axis;
    this.momentum = s.momentum;
    this.epsilon = s.epsilon;
    this.center = s.center;
    this.scale = s.scale;
    this.initializers = s.initializers;
    this.activation = s.activation;
    this.activationCode = s.activationCode;
    this.setWeights({ gamma: o.gamma as Float32Array, beta: o.beta as Float32Array, movingMean: o.movingMean as Float32Array, movingVariance: o.movingVariance as Float32Array });
  }

  /** Channels, once known (from a weight or the first input). */
  get channels(): number | null {
    return this.w.movingMean?.length ?? this.w.gamma?.length ?? this.w.beta?.length ?? this.w.movingVariance?.length ?? null;
  }

  private has(key: Key): boolean {
    return (key !== 'gamma' || this.scale) && (key !== 'beta' || this.center);
  }

  getWeights(): Weights {
    const copy = (key: Key) => (this.has(key) ? this.w[key]?.slice() ?? null : null);
    return { kernel: null, bias: null, gamma: copy('gamma'), beta: copy('beta'), movingMean: copy('movingMean'), movingVariance: copy('movingVariance') };
  }

  /** Replaces any of gamma, beta, movingMean, movingVariance (copied; one float per channel). */
  setWeights(weights: Partial<Weights>): void {
    const given = options('weights', weights, false);
    if ((given.kernel ?? null) !== null || (given.bias ?? null) !== null) {
      throw new TypeError('Expected no kernel or bias for BatchNormalization: its weights are gamma, beta, movingMean and movingVariance');
    }
    const next = { ...this.w };
    let c = this.channels;
    for (const key of KEYS) {
      const v = given[key];
      if (v === undefined || v === null) continue;
      if (!this.has(key)) throw new TypeError(`Expected no ${key} for BatchNormalization (${key === 'gamma' ? 'scale' : 'center'} is false)`);
      next[key] = channelWeight(key, v, c, 'zeros');
      c = next[key]!.length;
    }
    if (c !== null) for (const key of KEYS) if (this.has(key)) next[key] ??= channelWeight(key, undefined, c, this.initializers[key]);
    this.w = next;
    this.changed();
  }

  /** The inference affine and every plan made from it are dropped: the next forward folds again. */
  private changed(): void {
    this.affine = null;
    this.folds.clear();
    this.weightsChanged();
  }

  /** The channel count of an input of this shape, checked against the axis and the weights. */
  private channelsOf(shape: readonly number[]): number {
    const rank = shape.length;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new RangeError(
        `Expected axis -1 or ${rank - 1} (the channels, last: NHWC or [N, C]) for BatchNormalization of a rank-${rank} input but received ${this.axis} ` +
          '(channels_first data is not supported: transpose it to channels last)',
      );
    }
    const c = shape[rank - 1], have = this.channels;
    if (have !== null && c !== have) throw new RangeError(`Expected input with ${have} channels for BatchNormalization but received shape [${shape.join(', ')}]`);
    if (have === null) this.initWeights(c);
    return c;
  }

  private initWeights(c: number): void {
    for (const key of KEYS) if (this.has(key)) this.w[key] = channelWeight(key, undefined, c, this.initializers[key]);
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 2) throw new RangeError(`Expected BatchNormalization input shape of rank >= 2 but received [${shape.join(', ')}]`);
    this.channelsOf(shape);
    return [...shape];
  }

  /** s = gamma / sqrt(movingVariance + epsilon), t = beta - movingMean * s: float64, each rounded once. */
  private inference(): Affine {
    if (this.affine) return this.affine;
    const c = this.channels as number, st = new Float32Array(2 * c), w = this.w;
    for (let j = 0; j < c; j++) {
      const s = (w.gamma ? w.gamma[j] : 1) / Math.sqrt(w.movingVariance![j] + this.epsilon);
      st[j] = s;
      st[c + j] = (w.beta ? w.beta[j] : 0) - w.movingMean![j] * s;
    }
    this.affine = { scale: st.subarray(0, c), shift: st.subarray(c), activation: this.activationCode, scaleShift: st };
    return this.affine;
  }

  private activationFor(linear: boolean): number {
    return linear ? Activation.linear : this.activationCode;
  }

  /** @internal The inference affine for an input of this shape, for the layer before to fold. */
  override channelAffine(shape: readonly number[], linear: boolean): ChannelAffine {
    this.channelsOf(shape);
    const { scale, shift } = this.inference(), activation = this.activationFor(linear);
    let fold = this.folds.get(activation);
    if (!fold) this.folds.set(activation, (fold = { scale, shift, activation }));
    return fold;
  }

  protected plan(shape: readonly number[], _b: Backend, linear = false): Planned {
    const c = this.channelsOf(shape), m = shape.reduce((a, b) => a * b, 1) / c;
    const params = { m, c, activation: this.activationFor(linear) };
    return { shape: [...shape], step: { op: 'batchNorm', scaleShift: this.inference().scaleShift, params } };
  }

  /** Training and the backward cover the normalization alone. */
  private linearOnly(what: string): void {
    if (this.activationCode !== Activation.linear) {
      throw new Error(`Expected a BatchNormalization without activation for ${what} but its activation is '${this.activation}' (convkit runs that one in inference only)`);
    }
  }

  private params(x: Tensor, frozen: boolean): BatchNormTrainParams & { frozen: boolean } {
    const c = this.channelsOf(x.shape);
    return { m: x.size / c, c, epsilon: this.epsilon, frozen };
  }

  /** A training forward: the batch's statistics normalise x; the moving ones move towards them (tfjs-layers' rule). */
  private trained(x: Tensor, mean: Float32Array, variance: Float32Array): void {
    this.batch = { x: x.data, mean, variance };
    const decay = Math.fround(1 - this.momentum), mm = this.w.movingMean!, mv = this.w.movingVariance!;
    for (let j = 0; j < mm.length; j++) {
      mm[j] -= Math.fround(Math.fround(mm[j] - mean[j]) * decay);
      mv[j] -= Math.fround(Math.fround(mv[j] - variance[j]) * decay);
    }
    this.changed();
  }

  /** @internal In fit (training), a forward with the batch's statistics; else Layer's. */
  override forwardAs(input: Tensor, linear: boolean): Tensor {
    if (!this.training) return super.forwardAs(input, linear);
    const x = this.checkInput(input), p = this.params(x, false);
    const r = backend().batchNormTraining(x.data, this.w.gamma, this.w.beta, p);
    this.trained(x, r.mean, r.variance);
    return tensorOf(r.y, x.shape);
  }

  /** @internal forwardAs, off the event loop. */
  override async forwardAsyncAs(input: Tensor, linear: boolean): Promise<Tensor> {
    if (!this.training) return super.forwardAsyncAs(input, linear);
    const x = this.checkInput(input), p = this.params(x, false), b = backend();
    return runAsync({ shape: x.shape, async: async () => {
      const s = await b.batchNormTrainingAsync(x.data, this.w.gamma, this.w.beta, p);
      this.trained(x, s.mean, s.variance);
      return s.y;
    } });
  }

  /**
   * In fit, after its training forward on this x: the batch's statistics' backward. Otherwise
   * the inference form's (the moving statistics are constants): dx = dy * s.
   */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    this.linearOnly('a backward');
    const training = this.training && this.batch?.x === x.data;
    const p = this.params(x, !training);
    const mean = training ? this.batch!.mean : this.w.movingMean!, variance = training ? this.batch!.variance : this.w.movingVariance!;
    const gamma = this.w.gamma;
    const wrap = (g: { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array }) => ({
      dx: new Tensor(g.dx, x.shape), ...(this.scale ? { gamma: g.dgamma } : {}), ...(this.center ? { beta: g.dbeta } : {}),
    });
    return {
      sync: () => wrap(b.batchNormBackward(x.data, dy.data, mean, variance, gamma, p)),
      async: async () => wrap(await b.batchNormBackwardAsync(x.data, dy.data, mean, variance, gamma, p)),
    };
  }

  /** @internal fit's path to gamma and beta (the layer's own arrays) and into training mode. */
  trainableWeights(): Record<string, Float32Array | null> {
    this.linearOnly('training');
    this.training = true;
    return { gamma: this.scale ? this.w.gamma : null, beta: this.center ? this.w.beta : null };
  }

  override trainer(): Trainable {
    return this;
  }

  /** @internal gamma or beta changed in place. */
  weightsUpdated(): void {
    this.changed();
  }

  /** @internal fit is done: forwards use the moving statistics again. */
  endTraining(): void {
    this.training = false;
    this.batch = null;
  }
}
