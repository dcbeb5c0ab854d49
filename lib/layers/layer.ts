import type { Backend, Operator, Step } from '../backends/backend';
import { backend } from '../backends/select';
import type { GradCall, Gradients, GradHints } from '../grad/gradients';
import { checkData, checkInput, checkRank, isTensor, Tensor, tensorOf } from '../tensor';
import { runAsync, withCallerStack } from './call';
import { describe } from '../validate';
import { sameShape } from '../shape';
import { sameBinding } from './same-binding';
import { NamedObject } from './layer-name';
import { applySymbolic, type SymbolicTensor } from './symbolic';
import type { Trainable } from './trainable';

export { type Call, runAsync, runSync } from './call';

/**
 * A step of a layer, for an input of a known shape, and the shape of its output. A null step is
 * a reshape: the output holds the input's floats in the same order (Flatten), no backend call.
 */
export interface Planned {
  shape: number[];
  step: Step | null;
}

/**
 * A per-channel y * scale + shift that follows a layer (a BatchNormalization in inference), for
 * the layer before it to take into its weights: one object per value (a new one when the values
 * change), so a layer's kept fold is checked by identity.
 */
export interface ChannelAffine {
  readonly scale: Float32Array;
  readonly shift: Float32Array;
  /** The activation after the affine (ActivationCode): the folded layer applies it instead of its own linear one. */
  readonly activation: number;
  /** Scale 1 and shift 0: an activation layer's, which folding leaves the weights' values as they are. */
  readonly identity?: boolean;
}

/**
 * A layer's operator on one backend (null for a reshape), bound to what the layer's step binds
 * (weights, bias, activation, algorithm), and what it was last reshaped for.
 */
export interface Bound {
  backend: Backend;
  /** The affine folded into the weights, or null. */
  fold: ChannelAffine | null;
  epoch: number;
  version: number;
  operator: Operator | null;
  step: Step | null;
  /** The input shape the step was planned for, and the output shape for it (frozen). */
  planned: readonly number[];
  output: readonly number[];
  /** Whether the operator itself has been reshaped for `planned`. */
  reshaped: boolean;
}


/** A forward output handed to backward must be a Tensor of the output shape (internal callers). */
function checkOutput(y: Tensor, shape: readonly number[]): void {
  if (!(y instanceof Tensor) || y.shape.join() !== shape.join()) throw new RangeError(`Expected a forward output of shape [${shape.join(', ')}]`);
}

export interface Weights {
  kernel: Float32Array | null;
  bias: Float32Array | null;
  /** BatchNormalization's weights (Keras's order: gamma, beta, moving mean, moving variance). */
  gamma?: Float32Array | null;
  beta?: Float32Array | null;
  movingMean?: Float32Array | null;
  movingVariance?: Float32Array | null;
  alpha?: Float32Array | null; // PReLU's
  /** SeparableConv2D's kernels (its kernel is null): Keras's depthwise_kernel and pointwise_kernel. */
  depthwiseKernel?: Float32Array | null;
  pointwiseKernel?: Float32Array | null;
}

/** A layer: validates its input, then makes exactly one backend call per forward. */
export abstract class Layer extends NamedObject {
  /**
   * Applied to a symbolic tensor (ck.input or another layer's output): the symbolic output, to
   * build a functional model with (ck.model). Applied to a Tensor: forward. A layer is applied
   * once in a graph.
   */
  apply(x: SymbolicTensor): SymbolicTensor;
  apply(x: Tensor): Tensor;
  apply(x: SymbolicTensor | Tensor): SymbolicTensor | Tensor {
    return x instanceof Tensor ? this.forward(x) : applySymbolic(this, x, false)[0];
  }

  /** Name in error messages, and the rank its input must have (or at least have). */
  protected abstract readonly input: { name: string; rank: number; atLeast: boolean };

  /** Shape of the output for an input of this shape (validates it as forward would). */
  abstract outputShape(inputShape: readonly number[]): number[];
  abstract getWeights(): Weights;
  abstract setWeights(weights: Partial<Weights>): void;

  /**
   * The step for an input of this shape, of the right rank (packs the weights the first time);
   * with `linear`, the layer's activation is left out (training's logits).
   */
  protected abstract plan(shape: readonly number[], b: Backend, linear?: boolean): Planned;

  /**
   * The backward pass for checked x and dy (dy shaped like the output for x): one backend call.
   * With preActivation, dy is with respect to the pre-activation (the activation is skipped).
   */
  protected abstract gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall;

  /**
   * @internal Whether a ChannelAffine after this layer can be taken into its weights (per output
   * channel): Conv2D and Dense with a linear activation (with another activation, the affine
   * must run after it).
   */
  foldsChannelAffine(): boolean {
    return false;
  }

  /**
   * @internal The affine this layer applies in inference to an input of this shape (checked), to
   * be folded into the layer before it, with its activation (left out when `linear`); null for
   * every layer but BatchNormalization.
   */
  channelAffine(_shape: readonly number[], _linear: boolean): ChannelAffine | null {
    return null;
  }

  /** The step with `fold` taken into the weights (layers whose foldsChannelAffine is true). */
  protected planFolded(_shape: readonly number[], _b: Backend, _fold: ChannelAffine): Planned {
    throw new Error(`Expected a layer that folds a per-channel affine but ${this.input.name} does not`);
  }

  /**
   * Whether fit updates the layer's weights (Keras's `trainable`; default true). A frozen
   * BatchNormalization normalizes with its moving statistics in fit, as Keras's does.
   */
  trainable = true;

  /** @internal What fit trains of this layer (its kernel and bias), or null: no weights to train. */
  trainer(): Trainable | null {
    return null;
  }

  /** Validates x (a Tensor of the right rank whose data fits its shape). Used by Sequential. */
  checkInput(x: unknown): Tensor {
    return checkInput(this.input.name, x, this.input.rank, this.input.atLeast);
  }

  /**
   * The step for an input of this shape: its rank and sizes checked, the weights packed for b.
   * Used by Sequential to plan a chain from shapes alone.
   */
  planStep(shape: readonly number[], b: Backend): Planned {
    return this.planStepAs(shape, b, false);
  }

  /** @internal planStep, with the activation left out when `linear` (training: lib/train). */
  planStepAs(shape: readonly number[], b: Backend, linear: boolean): Planned {
    checkRank(this.input.name, shape, this.input.rank, this.input.atLeast);
    return this.plan(shape, b, linear);
  }

  /**
   * Operators per backend use: [0] with the activation, [1] without it (training's logits), [2]
   * with the affine of the layer after it folded in.
   */
  private readonly bound: [Bound | null, Bound | null, Bound | null] = [null, null, null];
  /** Bumped when the weights change: the kept operators and plans are checked again. */
  private weightsVersion = 0;

  /** @internal A count that changes whenever the weights do: a graph compiled from this layer is checked against it. */
  get weightsStamp(): number {
    return this.weightsVersion;
  }

  /** @internal Drops what was planned for the weights (WeightedLayer, when they change). */
  protected weightsChanged(): void {
    this.weightsVersion++;
  }

  /**
   * @internal The layer's operator on b for an input of this shape (checked and planned: the
   * weights packed, an operator created only when its binding changed), its step and output
   * shape, without reshaping the operator (graphs reshape their own schedule). Sequential
   * compiles its graph from these.
   */
  bind(shape: readonly number[], b: Backend, linear: boolean, fold: ChannelAffine | null = null): Bound {
    const slot = fold ? 2 : linear ? 1 : 0;
    const kept = this.bound[slot];
    if (kept && kept.backend === b && kept.epoch === b.epoch && kept.version === this.weightsVersion && kept.fold === fold && sameShape(kept.planned, shape)) return kept;
    const planned = fold ? (checkRank(this.input.name, shape, this.input.rank, this.input.atLeast), this.planFolded(shape, b, fold)) : this.planStepAs(shape, b, linear);
    const reuse = kept && kept.backend === b && kept.epoch === b.epoch && sameBinding(kept.step, planned.step);
    if (kept && !reuse) kept.operator?.release();
    const operator = reuse ? kept!.operator : planned.step && b.createOperator(planned.step);
    const bound: Bound = {
      backend: b, fold, epoch: b.epoch, version: this.weightsVersion, operator, step: planned.step,
      planned: Object.freeze([...shape]), output: Object.freeze(planned.shape),
      // The operator's own reshape is redone only for a new shape or binding.
      reshaped: !!reuse && kept!.reshaped && sameShape(kept!.planned, shape),
    };
    this.bound[slot] = bound;
    return bound;
  }

  /** @internal The layer's operator reshaped for x's shape: a forward's one backend call. */
  private prepare(input: unknown, b: Backend, linear = false): { x: Tensor; bound: Bound } {
    const x = this.checkInput(input);
    const bound = this.bind(x.shape, b, linear);
    if (!bound.reshaped) {
      bound.operator?.reshape(bound.step!.params);
      bound.reshaped = true;
    }
    return { x, bound };
  }

  private run(input: unknown, linear: boolean): Tensor {
    const { x, bound } = this.prepare(input, backend(), linear);
    return tensorOf(bound.operator ? bound.operator.run(x.data) : x.data.slice(), bound.output);
  }

  private runOffThread(input: unknown, linear: boolean): Promise<Tensor> {
    const { x, bound } = this.prepare(input, backend(), linear);
    const op = bound.operator, data = x.data;
    // A reshape copies x now, as an async op reads it before it returns.
    if (!op) return Promise.resolve(tensorOf(data.slice(), bound.output));
    return runAsync({ shape: bound.output, async: () => op.runAsync(data) });
  }

  forward(x: Tensor): Tensor {
    return this.run(x, false);
  }

  /** Same result as forward, computed on a libuv worker thread: the event loop keeps turning. */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    return this.runOffThread(x, false);
  }

  /**
   * @internal forward, with the activation left out when `linear`: the logits a fused softmax
   * and cross-entropy start from (training: lib/train).
   */
  forwardAs(x: Tensor, linear: boolean): Tensor {
    return this.run(x, linear);
  }

  /** @internal forwardAsync, with the activation left out when `linear` (see forwardAs). */
  async forwardAsyncAs(x: Tensor, linear: boolean): Promise<Tensor> {
    return this.runOffThread(x, linear);
  }

  private checkBackward(input: unknown, grad: unknown, hints: GradHints = {}): { x: Tensor; dy: Tensor } {
    const x = this.checkInput(input);
    const shape = this.outputShape(x.shape);
    if (!isTensor('dy', grad)) throw new TypeError(`Expected Tensor for dy but received ${describe(grad)}`);
    const dy = checkData(grad, 'dy');
    if (dy.shape.join() !== shape.join()) {
      throw new RangeError(
        `Expected dy of shape [${shape.join(', ')}] (the ${this.input.name} output for input [${x.shape.join(', ')}]) but received shape [${dy.shape.join(', ')}]`,
      );
    }
    if (hints.output) checkOutput(hints.output, shape);
    return { x, dy };
  }

  /**
   * Gradients of the loss given x and dy, the gradient of the loss with respect to this layer's
   * output (after its activation): dx shaped like x, and kernel and bias in getWeights' layouts
   * for layers that have them. The activation's derivative comes from the forward output, which
   * the same backend call recomputes.
   */
  backward(x: Tensor, dy: Tensor): Gradients {
    const g = this.checkBackward(x, dy);
    return this.gradCall(g.x, g.dy, backend(), false).sync(null);
  }

  /** Same result as backward, computed off the event loop in one job. */
  async backwardAsync(x: Tensor, dy: Tensor): Promise<Gradients> {
    return this.backwardAsyncWith(x, dy, {});
  }

  /**
   * @internal backwardAsync with what training knows (grad/gradients.ts GradHints): this layer's
   * forward output for x, or that dy is with respect to the pre-activation (lib/train).
   */
  async backwardAsyncWith(input: Tensor, grad: Tensor, hints: GradHints): Promise<Gradients> {
    const caller = new Error().stack ?? '';
    const { x, dy } = this.checkBackward(input, grad, hints);
    const call = this.gradCall(x, dy, backend(), hints.preActivation === true);
    return withCallerStack(caller, () => call.async(hints.output ? hints.output.data : null));
  }
}
