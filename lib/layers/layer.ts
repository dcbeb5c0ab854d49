import type { Backend, Step } from '../backends/backend';
import { backend } from '../backends/select';
import type { GradCall, Gradients, GradHints } from '../grad/gradients';
import { checkData, checkInput, checkRank, isTensor, Tensor } from '../tensor';
import { describe } from '../validate';

/** One backend call with its arguments bound: run on this thread or off it, and its output shape. */
export interface Call {
  shape: number[];
  sync(): Float32Array;
  async(): Promise<Float32Array>;
}

/** Runs a call on the current backend, on this thread. */
export function runSync(call: Call): Tensor {
  return new Tensor(call.sync(), call.shape);
}

/**
 * Runs a call on a worker thread. A failure rejects with the caller's stack: the native error
 * itself has no JavaScript frames worth reading.
 */
export async function runAsync(call: Pick<Call, 'shape' | 'async'>): Promise<Tensor> {
  return withCallerStack(new Error().stack ?? '', async () => new Tensor(await call.async(), call.shape));
}

/** run()'s result; a failure rejects with the caller's stack instead of its own. */
async function withCallerStack<T>(caller: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error) e.stack = `${e.name}: ${e.message}${caller.slice(caller.indexOf('\n'))}`;
    throw e;
  }
}

/**
 * A step of a layer, for an input of a known shape, and the shape of its output. A null step is
 * a reshape: the output holds the input's floats in the same order (Flatten), no backend call.
 */
export interface Planned {
  shape: number[];
  step: Step | null;
}

/** The backend call a step names, on x; a reshape copies x (read at the call, as async ops do). */
function call(b: Backend, s: Step | null, x: Float32Array, shape: number[]): Call {
  if (s === null) return { shape, sync: () => x.slice(), async: () => Promise.resolve(x.slice()) };
  switch (s.op) {
    case 'conv2d':
      return { shape, sync: () => b.conv2d(x, s.packed, s.bias, s.params), async: () => b.conv2dAsync(x, s.packed, s.bias, s.params) };
    case 'maxpool2d':
      return { shape, sync: () => b.maxpool2d(x, s.params), async: () => b.maxpool2dAsync(x, s.params) };
    case 'dense':
      return { shape, sync: () => b.dense(x, s.packed, s.bias, s.params), async: () => b.denseAsync(x, s.packed, s.bias, s.params) };
  }
}

/** A forward output handed to backward must be a Tensor of the output shape (internal callers). */
function checkOutput(y: Tensor, shape: readonly number[]): void {
  if (!(y instanceof Tensor) || y.shape.join() !== shape.join()) throw new RangeError(`Expected a forward output of shape [${shape.join(', ')}]`);
}

export interface Weights {
  kernel: Float32Array | null;
  bias: Float32Array | null;
}

/** A layer: validates its input, then makes exactly one backend call per forward. */
export abstract class Layer {
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

  private prepare(input: unknown, b: Backend, linear = false): Call {
    const x = this.checkInput(input);
    const { shape, step } = this.plan(x.shape, b, linear);
    return call(b, step, x.data, shape);
  }

  forward(x: Tensor): Tensor {
    return runSync(this.prepare(x, backend()));
  }

  /** Same result as forward, computed on a libuv worker thread: the event loop keeps turning. */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    return runAsync(this.prepare(x, backend()));
  }

  /**
   * @internal forward, with the activation left out when `linear`: the logits a fused softmax
   * and cross-entropy start from (training: lib/train).
   */
  forwardAs(x: Tensor, linear: boolean): Tensor {
    return runSync(this.prepare(x, backend(), linear));
  }

  /** @internal forwardAsync, with the activation left out when `linear` (see forwardAs). */
  async forwardAsyncAs(x: Tensor, linear: boolean): Promise<Tensor> {
    return runAsync(this.prepare(x, backend(), linear));
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
