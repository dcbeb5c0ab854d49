import type { Backend, PReluParams } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape, product } from '../shape';
import { Tensor } from '../tensor';
import { elements, fail, float32Array, integer, oneOf, options } from '../validate';
import { Layer, type Planned, type Weights } from './layer';
import type { Trainable } from './trainable';

export type PReLUInitializer = 'zeros' | 'ones';

export interface PReLUOptions {
  /** How alpha starts when not given: 'zeros' (Keras's default) or 'ones'. */
  alphaInitializer?: PReLUInitializer;
  /** The alpha weight (Keras's shape flattened: the input's without the batch, shared axes 1). */
  alpha?: Float32Array | number[];
  /** Axes (1-based, the batch is 0) that share one alpha, a leading run: [1, 2] for one alpha per channel of NHWC. */
  sharedAxes?: number | number[] | null;
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
}

/** sharedAxes checked: a leading run 1..k of axes (its count k), the only sharing convkit runs. */
function sharedCount(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const list = Array.isArray(v) ? elements('sharedAxes', v) : [v];
  if (!list) fail('type', 'integer or array of integers', 'sharedAxes', v);
  const axes = list.map((a, i) => integer(`sharedAxes[${i}]`, a)).sort((a, b) => a - b);
  if (axes.some((a, i) => a !== i + 1)) fail('range', 'a leading run of axes ([1], [1, 2], ...: alpha shared along the first axes after the batch)', 'sharedAxes', v);
  return axes.length;
}

/**
 * Keras's PReLU: y = x above 0, alpha * x otherwise, with a learned alpha of the input's shape
 * without the batch, one alpha along each shared axis. The shared axes lead, so the input is
 * rows of c floats sharing one row of c alphas (the `prelu` op); trained by fit.
 */
export class PReLU extends Layer {
  protected readonly input = { name: 'PReLU', rank: 2, atLeast: true };
  /** Trainable's: no activation after it (fit's fused softmax looks for one). */
  readonly activation = 'linear' as const;
  readonly alphaInitializer: PReLUInitializer;
  /** The shared axes: 1..sharedAxes.length. */
  readonly sharedAxes: number[];
  private alpha: Float32Array | null = null;
  /** The copy the operators are bound to: a new one whenever alpha changes. */
  private stepAlpha: Float32Array | null = null;

  constructor(opts?: PReLUOptions) {
    super();
    const o = options('PReLU options', opts, true);
    this.nameFrom(opts);
    this.alphaInitializer = oneOf('alphaInitializer', o.alphaInitializer ?? 'zeros', ['zeros', 'ones'] as const);
    this.sharedAxes = Array.from({ length: sharedCount(o.sharedAxes) }, (_, i) => i + 1);
    if (o.alpha !== undefined && o.alpha !== null) this.setWeights({ alpha: o.alpha as Float32Array });
  }

  /** The op's rows and channels for an input of this shape, alpha made (or checked) for it. */
  private params(shape: readonly number[]): PReluParams {
    const k = this.sharedAxes.length + 1;
    if (k > shape.length) throw new RangeError(`Expected an input of rank ${k + 1} or more for PReLU with sharedAxes [${this.sharedAxes.join(', ')}] but received shape [${shape.join(', ')}]`);
    const m = product(shape.slice(0, k)), c = product(shape.slice(k));
    if (this.alpha === null) this.alpha = new Float32Array(c).fill(this.alphaInitializer === 'ones' ? 1 : 0);
    if (this.alpha.length !== c) {
      throw new RangeError(`Expected an input with ${this.alpha.length} values per shared row for PReLU (its alpha) but received shape [${shape.join(', ')}]`);
    }
    return { m, c };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 2) throw new RangeError(`Expected PReLU input shape of rank 2 or more but received [${shape.join(', ')}]`);
    this.params(shape);
    return [...shape];
  }

  /** Keras's shape of alpha for an input of this shape (no batch): the shared axes 1. */
  alphaShape(shape: readonly number[]): number[] {
    return shape.map((d, i) => (i < this.sharedAxes.length ? 1 : d));
  }

  getWeights(): Weights {
    return { kernel: null, bias: null, alpha: this.alpha?.slice() ?? null };
  }

  /** Replaces alpha (copied; its length fixes the values per shared row). */
  setWeights(weights: Partial<Weights>): void {
    const w = options('weights', weights, false);
    if ((w.kernel ?? null) !== null || (w.bias ?? null) !== null) throw new TypeError('Expected no kernel or bias for PReLU: its weight is alpha');
    if (w.alpha === undefined || w.alpha === null) return;
    const given = Array.isArray(w.alpha) ? elements('alpha', w.alpha)! : float32Array('alpha', w.alpha);
    if (!given.length) fail('range', 'non-empty array', 'alpha', w.alpha);
    if (Array.isArray(given) && !given.every((v) => typeof v === 'number' && Number.isFinite(v))) fail('type', 'array of finite numbers or Float32Array', 'alpha', w.alpha);
    const alpha = Float32Array.from(given as ArrayLike<number>);
    if (this.alpha && alpha.length !== this.alpha.length) fail('range', `${this.alpha.length} values`, 'alpha', w.alpha);
    this.alpha = alpha;
    this.weightsUpdated();
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    const params = this.params(shape);
    this.stepAlpha ??= this.alpha!.slice();
    return { shape: [...shape], step: { op: 'prelu', alpha: this.stepAlpha, params } };
  }

  /** dx and dalpha, one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.params(x.shape), alpha = this.alpha!;
    const wrap = (g: { dx: Float32Array; dalpha: Float32Array }) => ({ dx: new Tensor(g.dx, x.shape), alpha: g.dalpha });
    return {
      sync: () => wrap(b.preluBackward(x.data, dy.data, alpha, p)),
      async: async () => wrap(await b.preluBackwardAsync(x.data, dy.data, alpha, p)),
    };
  }

  /** @internal fit's path to alpha (the layer's own array). */
  trainableWeights(): Record<string, Float32Array | null> {
    return { alpha: this.alpha };
  }

  override trainer(): Trainable {
    return this;
  }

  /** @internal alpha changed in place: the operators bind a new copy. */
  weightsUpdated(): void {
    this.stepAlpha = null;
    this.weightsChanged();
  }

  /** @internal fit is done with the layer. */
  endTraining(): void {}
}
