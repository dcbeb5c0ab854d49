// compile / fit / evaluate for Sequential and functional models (Keras and TensorFlow.js names),
// over the model's graph of layers (flat()). fit runs
// each batch's forwards and GEMMs off the event loop (trainStep) and yields to it between
// batches, so the loop waits at most for one batch's JavaScript (loss, gradients of the
// activations, im2col, the optimizer's update).
import { backend } from '../backends/select';
import { seededRandom } from '../init';
import type { FlatGraph } from '../layers/flat-types';
import { Layer } from '../layers/layer';
import { checkBatchSize } from '../layers/predict';
import type { LayerGradients, TrainableModel } from '../layers/trainable-model';
import { valueShapes } from '../models/model-graph';
import type { Tensor } from '../tensor';
import { batchOf, batchTargets, checkData, type Data, shuffled } from './batches';
import { type LossName, lossSums } from './losses';
import { makeOptimizer, type Optimizer, type WeightUpdate } from './optimizers';
import { checkCompile, checkFit, type EpochLogs, type FitSettings, type PerOutput } from './options';
import { type OutputLoss, outputLosses } from './outputs';
import { needsGradient, trainStep } from './step';

export interface Compiled {
  optimizer: Optimizer;
  loss: PerOutput<LossName>;
  lossWeights: PerOutput<number> | null;
}

export interface History {
  /** Per epoch: the mean loss over its batches' rows (each batch with the weights it started from). */
  loss: number[];
  /** Per epoch, for the cross-entropies: the share of rows whose argmax matched. */
  accuracy?: number[];
  /** With validationData: its loss and accuracy after each epoch. */
  valLoss?: number[];
  valAccuracy?: number[];
}

export interface FitResult {
  history: History;
}

export interface EvaluateResult {
  loss: number;
  /** For the cross-entropies. */
  accuracy?: number;
}

export function compile(options: unknown): Compiled {
  const { optimizer, loss, lossWeights } = checkCompile(options);
  return { optimizer: makeOptimizer(optimizer), loss, lossWeights };
}

/** The losses of the model's outputs, and the entries whose softmax the losses take from their logits. */
function lossesOf(model: TrainableModel, c: Compiled): { losses: OutputLoss[]; fused: Set<number> } {
  const losses = outputLosses(model.flat(), model.outputNames(), c.loss, c.lossWeights);
  return { losses, fused: new Set(losses.map((l) => l.fusedEntry).filter((i) => i >= 0)) };
}

/** Accuracy is reported for a model of one output whose loss is a cross-entropy. */
const reportsAccuracy = (losses: readonly OutputLoss[]) => losses.length === 1 && losses[0].loss !== 'meanSquaredError';

/** The loss over `samples`: each output's mean over its rows, weighted, summed; with the first output's accuracy where reported. */
function logsOf(losses: readonly OutputLoss[], d: Data, sums: readonly number[], correct: number, samples: number): EvaluateResult {
  const loss = sums.reduce((t, s, k) => t + losses[k].weight * (s / (samples * d.outputs[k].rowsPerSample)), 0);
  return reportsAccuracy(losses) ? { loss, accuracy: correct / (samples * d.outputs[0].rowsPerSample) } : { loss };
}

/** Lets the event loop run (timers, I/O) before the next batch. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * Loss and accuracy over d, in batches: yields each batch's input and takes its forward's output
 * back (evaluate forwards on this thread, fit's validation off it).
 */
function* measure(d: Data, losses: readonly OutputLoss[], batchSize: number): Generator<Tensor[], EvaluateResult, Tensor[]> {
  const n = d.xs[0].shape[0], sums = losses.map(() => 0);
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const outs = yield d.xs.map((x) => batchOf(x, null, start, end));
    outs.forEach((out, k) => {
      const o = d.outputs[k], l = losses[k];
      const s = lossSums(l.loss, out.data, o.cols, batchTargets(o, null, start, end), l.fusedEntry >= 0, null, 1);
      sums[k] += s.loss;
      if (k === 0) correct += s.correct;
    });
  }
  return logsOf(losses, d, sums, correct, n);
}

/**
 * The trainable layers' own kernel and bias arrays (Trainable.trainableWeights), each kernel
 * made first (He-uniform where none was given) for inputs of this shape.
 */
function trainableWeights(flat: FlatGraph, xs: readonly Tensor[]): (Record<string, Float32Array | null> | null)[] {
  const shapes = valueShapes(flat, xs.map((x) => x.shape));
  return flat.entries.map((e) => {
    if (!(e.layer instanceof Layer) || !e.layer.trainable) return null;
    e.layer.planStep(shapes[e.inputs[0]], backend());
    return e.layer.trainer()?.trainableWeights() ?? null;
  });
}

/** Each layer that fit trains (its trainable weights). */
const trainedLayers = (flat: FlatGraph) => flat.entries.flatMap((e) => (e.layer instanceof Layer && e.layer.trainable && e.layer.trainer() ? [e.layer.trainer()!] : []));

/** The optimizer's step over every weight, in place; the layers then pack theirs again. */
function applyGradients(flat: FlatGraph, optimizer: Optimizer, weights: (Record<string, Float32Array | null> | null)[], grads: LayerGradients[]): void {
  const updates: WeightUpdate[] = [];
  weights.forEach((w, i) => {
    for (const [name, value] of Object.entries(w ?? {})) {
      const grad = (grads[i] as Record<string, Float32Array | undefined>)[name];
      if (value && grad) updates.push({ key: `${i}.${name}`, value, grad });
    }
  });
  optimizer.step(updates);
  for (const t of trainedLayers(flat)) t.weightsUpdated();
}

function epochLine(epoch: number, epochs: number, seconds: number, logs: EpochLogs): string {
  const parts = Object.entries(logs).map(([k, v]) => `${k}: ${(v as number).toFixed(4)}`);
  return `Epoch ${epoch + 1}/${epochs} - ${seconds.toFixed(2)} s - ${parts.join(' - ')}`;
}

/**
 * Trains model on x and y (checked first, before any step). x is read batch by batch as fit
 * goes (not copied: it may be large); y is copied when checked.
 */
export async function fit(model: TrainableModel, c: Compiled, x: unknown, y: unknown, options: unknown): Promise<FitResult> {
  const settings: FitSettings = checkFit(options);
  const { losses, fused } = lossesOf(model, c);
  const data = checkData(model, losses, 'x', x, 'y', y);
  const validation = settings.validation && checkData(model, losses, 'validationData[0]', settings.validation[0], 'validationData[1]', settings.validation[1]);
  const flat = model.flat();
  try {
    return { history: await epochs(model, c, settings, losses, fused, data, validation) };
  } finally {
    for (const t of trainedLayers(flat)) t.endTraining();
  }
}

async function epochs(model: TrainableModel, c: Compiled, settings: FitSettings, losses: OutputLoss[], fused: Set<number>, data: Data, validation: Data | null): Promise<History> {
  const flat = model.flat(), weights = trainableWeights(flat, data.xs);
  const needs = needsGradient(flat, weights.map((w) => w !== null));
  const random = seededRandom(settings.seed), n = data.xs[0].shape[0];
  const history: History = { loss: [] };
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const started = Date.now();
    const order = settings.shuffle ? shuffled(n, random) : null;
    await settings.onEpochBegin?.(epoch);
    const sums = losses.map(() => 0);
    let correct = 0;
    const logsAfter = (samples: number): EpochLogs => logsOf(losses, data, sums, correct, samples);
    for (let start = 0, batch = 0; start < n; start += settings.batchSize, batch++) {
      const end = Math.min(n, start + settings.batchSize);
      const xs = data.xs.map((x) => batchOf(x, order, start, end));
      const step = await trainStep(flat, xs, data.outputs.map((o) => batchTargets(o, order, start, end)), losses, needs);
      applyGradients(flat, c.optimizer, weights, step.grads);
      step.losses.forEach((l, k) => (sums[k] += l));
      correct += step.correct;
      await settings.onBatchEnd?.(batch, logsAfter(end));
      await yieldToEventLoop();
    }
    const logs = logsAfter(n);
    if (validation) {
      const batches = measure(validation, losses, settings.batchSize);
      let r = batches.next();
      while (!r.done) r = batches.next(await model.forwardLinearAsync(r.value, fused));
      const v = r.value;
      logs.valLoss = v.loss;
      if (v.accuracy !== undefined) logs.valAccuracy = v.accuracy;
    }
    for (const [key, value] of Object.entries(logs) as [keyof History, number][]) (history[key] ??= []).push(value);
    settings.log?.(epochLine(epoch, settings.epochs, (Date.now() - started) / 1000, logs));
    await settings.onEpochEnd?.(epoch, { ...logs });
  }
  return history;
}

/** Loss (and accuracy) of the model on x and y, in batches, on this thread. */
export function evaluate(model: TrainableModel, c: Compiled, x: unknown, y: unknown, options: unknown): EvaluateResult {
  const batchSize = checkBatchSize('evaluate options', options);
  const { losses, fused } = lossesOf(model, c);
  const data = checkData(model, losses, 'x', x, 'y', y);
  const batches = measure(data, losses, batchSize);
  let r = batches.next();
  while (!r.done) r = batches.next(model.forwardLinear(r.value, fused));
  return r.value;
}
