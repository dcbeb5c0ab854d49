import type { Backend } from '../backends/backend';
import { backend } from '../backends/select';
import { product } from '../shape';
import { Tensor } from '../tensor';

type OpName = 'conv2d' | 'maxpool2d' | 'dense' | 'gemm';

/** One backend call: the op, its arguments before `y`, and the shape of `y`. */
export interface Call {
  op: OpName;
  args: unknown[];
  shape: number[];
}

type Kernel = (...args: unknown[]) => Float32Array;
type AsyncKernel = (...args: unknown[]) => Promise<Float32Array>;

/** Runs a call on the current backend, into a fresh output, on this thread. */
export function runSync(b: Backend, call: Call): Tensor {
  const y = new Float32Array(product(call.shape));
  (b[call.op] as Kernel).call(b, ...call.args, y);
  return new Tensor(y, call.shape);
}

/**
 * Runs a call on a worker thread. A failure rejects with the caller's stack: the native error
 * itself has no JavaScript frames worth reading.
 */
export async function runAsync(b: Backend, call: Call): Promise<Tensor> {
  const caller = new Error().stack ?? '';
  const y = new Float32Array(product(call.shape));
  try {
    await (b[`${call.op}Async`] as AsyncKernel).call(b, ...call.args, y);
  } catch (e) {
    if (e instanceof Error) e.stack = `${e.name}: ${e.message}${caller.slice(caller.indexOf('\n'))}`;
    throw e;
  }
  return new Tensor(y, call.shape);
}

export interface Weights {
  kernel: Float32Array | null;
  bias: Float32Array | null;
}

/** A layer: validates its input, then makes exactly one backend call per forward. */
export abstract class Layer {
  /** Shape of the output for an input of this shape (validates it as forward would). */
  abstract outputShape(inputShape: readonly number[]): number[];
  abstract getWeights(): Weights;
  abstract setWeights(weights: Partial<Weights>): void;

  /** Validates x and prepares the backend call (packing weights the first time). */
  protected abstract prepare(x: unknown, b: Backend): Call;

  forward(x: Tensor): Tensor {
    const b = backend();
    return runSync(b, this.prepare(x, b));
  }

  /** Same result as forward, computed on a libuv worker thread: the event loop keeps turning. */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    const b = backend();
    return runAsync(b, this.prepare(x, b));
  }
}
