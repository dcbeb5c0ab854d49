// A backend call of a layer (or a model): its output shape, and the call on this thread or off it.
import { type Tensor, tensorOf } from '../tensor';

/** One backend call with its output shape: run on this thread or off it. */
export interface Call {
  shape: readonly number[];
  sync(): Float32Array;
  async(): Promise<Float32Array>;
}

/** Runs a call on the current backend, on this thread. */
export function runSync(call: Call): Tensor {
  return tensorOf(call.sync(), call.shape);
}

/**
 * Runs a call on a worker thread. A failure rejects with the caller's stack: the native error
 * itself has no JavaScript frames worth reading.
 */
export async function runAsync(call: Pick<Call, 'shape' | 'async'>): Promise<Tensor> {
  return withCallerStack(new Error().stack ?? '', async () => tensorOf(await call.async(), call.shape));
}

/** run()'s result; a failure rejects with the caller's stack instead of its own. */
export async function withCallerStack<T>(caller: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error) e.stack = `${e.name}: ${e.message}${caller.slice(caller.indexOf('\n'))}`;
    throw e;
  }
}

