// Sequential.predict: forwards in batches, put together. Inference, so it lives with the model
// rather than with training (lib/train), which it does not load.
import { product } from '../shape';
import { Tensor } from '../tensor';
import { integer, knownKeys, options } from '../validate';
import type { Layer } from './layer';

/** batchSize of evaluate and predict options (default 32). */
export function checkBatchSize(name: string, v: unknown): number {
  const o = options(name, v, true);
  if (v !== undefined) knownKeys(name, v as object, ['batchSize']);
  return integer('batchSize', o.batchSize ?? 32);
}

/** The model's output for x, computed in batches and put together. */
/** What predict reads of a Sequential. */
interface Chain {
  readonly layers: readonly Layer[];
  outputShape(inputShape: readonly number[]): number[];
  forwardAs(x: Tensor, linear: boolean): Tensor;
}

export function predict(model: Chain, x: unknown, options: unknown): Tensor {
  const batchSize = checkBatchSize('predict options', options);
  const input = model.layers[0].checkInput(x);
  const n = input.shape[0], shape = model.outputShape(input.shape), width = product(shape.slice(1));
  const inWidth = input.size / n;
  const out = new Float32Array(n * width);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = new Tensor(input.data.subarray(start * inWidth, end * inWidth), [end - start, ...input.shape.slice(1)]); // a view, no copy
    out.set(model.forwardAs(batch, false).data, start * width);
  }
  return new Tensor(out, shape);
}
