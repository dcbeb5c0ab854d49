// One-shot op calls (create an operator, reshape it, run it, release it), the same on every
// backend: for tests and one-off use. Layers and models keep their operators instead.
import type { Backend, Conv2DParams, DenseParams, PackedWeights, Step, WindowParams } from './backend';

/** A step run once on x: its operator created, reshaped, run and released. */
export function once(b: Backend, step: Step, x: Float32Array): Float32Array {
  const op = b.createOperator(step);
  try {
    op.reshape(step.params);
    return op.run(x);
  } finally {
    op.release();
  }
}

/** once, off the calling thread; argument errors throw here, synchronously, as every async entry point's do. */
export function onceAsync(b: Backend, step: Step, x: Float32Array): Promise<Float32Array> {
  const op = b.createOperator(step);
  try {
    op.reshape(step.params);
    return op.runAsync(x).finally(() => op.release());
  } catch (e) {
    op.release();
    throw e;
  }
}

type OneShot = Pick<Backend, 'conv2d' | 'conv2dAsync' | 'maxpool2d' | 'maxpool2dAsync' | 'dense' | 'denseAsync'>;

/** The one-shot calls of the Backend contract, for a backend's operators. */
export function oneShotCalls(b: Backend): OneShot {
  return {
    conv2d: (x: Float32Array, packed: PackedWeights, bias: Float32Array | null, params: Conv2DParams) => once(b, { op: 'conv2d', packed, bias, params }, x),
    conv2dAsync: (x: Float32Array, packed: PackedWeights, bias: Float32Array | null, params: Conv2DParams) => onceAsync(b, { op: 'conv2d', packed, bias, params }, x),
    maxpool2d: (x: Float32Array, params: WindowParams) => once(b, { op: 'maxpool2d', params }, x),
    maxpool2dAsync: (x: Float32Array, params: WindowParams) => onceAsync(b, { op: 'maxpool2d', params }, x),
    dense: (x: Float32Array, packed: PackedWeights, bias: Float32Array | null, params: DenseParams) => once(b, { op: 'dense', packed, bias, params }, x),
    denseAsync: (x: Float32Array, packed: PackedWeights, bias: Float32Array | null, params: DenseParams) => onceAsync(b, { op: 'dense', packed, bias, params }, x),
  };
}

/** The arrays of a graph run's outputs, from the one array holding them at these offsets. */
export function splitOutputs(y: Float32Array, offsets: readonly number[], lengths: readonly number[]): Float32Array[] {
  if (lengths.length === 1) return [y];
  return lengths.map((n, i) => y.subarray(offsets[i], offsets[i] + n));
}
