// The samples of fit and evaluate: x and y checked together, cut into batches, in a
// shuffled order or as they are.
import type { TrainableModel } from '../layers/trainable-model';
import { valueShapes } from '../models/model-graph';
import { product } from '../shape';
import { Tensor } from '../tensor';
import type { Targets } from './losses';
import type { OutputLoss } from './outputs';
import { labelsPerOutput } from './outputs';
import { checkTargets, gather, gatherTargets } from './targets';

/** One output's targets, and the rows of its last axis per sample and that axis' length. */
export interface OutputData {
  targets: Targets;
  rowsPerSample: number;
  cols: number;
}

/** x and y checked together: x the model's inputs, y the targets of each output for x. */
export interface Data {
  xs: Tensor[];
  outputs: OutputData[];
}

export function checkData(model: TrainableModel, losses: readonly OutputLoss[], xName: string, x: unknown, yName: string, y: unknown): Data {
  const xs = model.checkInputs(xName, x), flat = model.flat(), names = model.outputNames();
  const shapes = valueShapes(flat, xs.map((t) => t.shape));
  const ys = labelsPerOutput(yName, y, names);
  const outputs = flat.outputs.map((v, k) => {
    const shape = shapes[v], cols = shape[shape.length - 1];
    const label = names.length > 1 ? `${yName} for output '${names[k]}'` : yName;
    return { targets: checkTargets(label, losses[k].loss, ys[k], shape), rowsPerSample: product(shape) / cols / xs[0].shape[0], cols };
  });
  return { xs, outputs };
}

/** Samples [start, end) of x in the order `order` gives (null: as they are, no copy). */
export function batchOf(x: Tensor, order: Int32Array | null, start: number, end: number): Tensor {
  const width = x.size / x.shape[0], shape = [end - start, ...x.shape.slice(1)];
  if (!order) return new Tensor(x.data.subarray(start * width, end * width), shape);
  return new Tensor(gather(x.data, order.subarray(start, end), width), shape);
}

export function batchTargets(d: OutputData, order: Int32Array | null, start: number, end: number): Targets {
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
