import type { Backend } from '../backends/backend';
import { backend } from '../backends/select';
import { Tensor } from '../tensor';

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
export async function runAsync(call: Call): Promise<Tensor> {
  const caller = new Error().stack ?? '';
  try {
    return new Tensor(await call.async(), call.shape);
  } catch (e) {
    if (e instanceof Error) e.stack = `${e.name}: ${e.message}${caller.slice(caller.indexOf('\n'))}`;
    throw e;
  }
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
    return runSync(this.prepare(x, backend()));
  }

  /** Same result as forward, computed on a libuv worker thread: the event loop keeps turning. */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    return runAsync(this.prepare(x, backend()));
  }
}
