// The samples of fit and evaluate: x and y checked together, cut into batches, in a
// shuffled order or as they are.
import type { TrainableModel } from '../layers/trainable-model';
import { product } from '../shape';
import { isTensor, Tensor } from '../tensor';
import { describe } from '../validate';
import type { LossName, Targets } from './losses';
import { checkTargets, gather, gatherTargets } from './targets';

/** x and y checked together: x the first layer's input, y the targets of the output for x. */
export interface Data {
  x: Tensor;
  targets: Targets;
  /** Rows of the output's last axis per sample, and that axis' length. */
  rowsPerSample: number;
  cols: number;
}

export function checkData(model: TrainableModel, loss: LossName, xName: string, x: unknown, yName: string, y: unknown): Data {
  if (!isTensor(xName, x)) throw new TypeError(`Expected Tensor for ${xName} but received ${describe(x)}`);
  const input = model.layers[0].checkInput(x);
  const outShape = model.outputShape(input.shape);
  const cols = outShape[outShape.length - 1];
  return { x: input, targets: checkTargets(yName, loss, y, outShape), rowsPerSample: product(outShape) / cols / input.shape[0], cols };
}

/** Samples [start, end) of x in the order `order` gives (null: as they are, no copy). */
export function batchOf(x: Tensor, order: Int32Array | null, start: number, end: number): Tensor {
  const width = x.size / x.shape[0], shape = [end - start, ...x.shape.slice(1)];
  if (!order) return new Tensor(x.data.subarray(start * width, end * width), shape);
  return new Tensor(gather(x.data, order.subarray(start, end), width), shape);
}

export function batchTargets(d: Data, order: Int32Array | null, start: number, end: number): Targets {
  const samples = order ? order.subarray(start, end) : Int32Array.from({ length: end - start }, (_, i) => start + i);
  return gatherTargets(d.targets, samples, d.rowsPerSample, d.cols);
}

/** A permutation of [0, n) (Fisher-Yates) drawn from `random`. */
export function shuffled(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
