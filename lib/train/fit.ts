// compile / fit / evaluate for Sequential (Keras and TensorFlow.js names). fit runs
// each batch's forwards and GEMMs off the event loop (trainStep) and yields to it between
// batches, so the loop waits at most for one batch's JavaScript (loss, gradients of the
// activations, im2col, the optimizer's update).
import { backend } from '../backends/select';
import { seededRandom } from '../init';
import { checkBatchSize } from '../layers/predict';
import type { LayerGradients, TrainableModel } from '../layers/trainable-model';
import type { Tensor } from '../tensor';
import { batchOf, batchTargets, checkData, type Data, shuffled } from './batches';
import { type LossName, lossSums } from './losses';
import { makeOptimizer, type Optimizer, type WeightUpdate } from './optimizers';
import { checkCompile, checkFit, type EpochLogs, type FitSettings } from './options';
import { trainStep } from './step';

export interface Compiled {
  optimizer: Optimizer;
  loss: LossName;
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
  const { optimizer, loss } = checkCompile(options);
  return { optimizer: makeOptimizer(optimizer), loss };
}

/** Softmax last and a cross-entropy loss: the loss is taken from the logits (losses.ts). */
function fusedSoftmax(model: TrainableModel, loss: LossName): boolean {
  const last = model.layers[model.layers.length - 1].trainable();
  return loss !== 'meanSquaredError' && last?.activation === 'softmax';
}

/** Lets the event loop run (timers, I/O) before the next batch. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * Loss and accuracy over d, in batches: yields each batch's input and takes its forward's output
 * back (evaluate forwards on this thread, fit's validation off it).
 */
function* measure(d: Data, c: Compiled, fused: boolean, batchSize: number): Generator<Tensor, EvaluateResult, Tensor> {
  const n = d.x.shape[0];
  let loss = 0, correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const out = yield batchOf(d.x, null, start, end);
    const sums = lossSums(c.loss, out.data, d.cols, batchTargets(d, null, start, end), fused, null, 1);
    loss += sums.loss;
    correct += sums.correct;
  }
  const rows = n * d.rowsPerSample;
  return c.loss === 'meanSquaredError' ? { loss: loss / rows } : { loss: loss / rows, accuracy: correct / rows };
}

/**
 * The trainable layers' own kernel and bias arrays (Trainable.trainableWeights), each kernel
 * made first (He-uniform where none was given) for inputs of this shape.
 */
function trainableWeights(model: TrainableModel, shape: readonly number[]): (Record<string, Float32Array | null> | null)[] {
  let s = shape;
  for (const l of model.layers) s = l.planStep(s, backend()).shape;
  return model.layers.map((l) => l.trainable()?.trainableWeights() ?? null);
}

/** The optimizer's step over every weight, in place; the layers then pack theirs again. */
function applyGradients(model: TrainableModel, optimizer: Optimizer, weights: (Record<string, Float32Array | null> | null)[], grads: LayerGradients[]): void {
  const updates: WeightUpdate[] = [];
  weights.forEach((w, i) => {
    for (const [name, value] of Object.entries(w ?? {})) {
      const grad = (grads[i] as Record<string, Float32Array | undefined>)[name];
      if (value && grad) updates.push({ key: `${i}.${name}`, value, grad });
    }
  });
  optimizer.step(updates);
  for (const l of model.layers) l.trainable()?.weightsUpdated();
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
  const fused = fusedSoftmax(model, c.loss);
  const data = checkData(model, c.loss, 'x', x, 'y', y);
  const validation = settings.validation && checkData(model, c.loss, 'validationData[0]', settings.validation[0], 'validationData[1]', settings.validation[1]);
  try {
    return { history: await epochs(model, c, settings, fused, data, validation) };
  } finally {
    for (const l of model.layers) l.trainable()?.endTraining();
  }
}

async function epochs(model: TrainableModel, c: Compiled, settings: FitSettings, fused: boolean, data: Data, validation: Data | null): Promise<History> {
  const weights = trainableWeights(model, data.x.shape);
  const random = seededRandom(settings.seed), n = data.x.shape[0];
  const history: History = { loss: [] };
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const started = Date.now();
    const order = settings.shuffle ? shuffled(n, random) : null;
    await settings.onEpochBegin?.(epoch);
    let loss = 0, correct = 0;
    const logsAfter = (samples: number): EpochLogs => {
      const rows = samples * data.rowsPerSample;
      return c.loss === 'meanSquaredError' ? { loss: loss / rows } : { loss: loss / rows, accuracy: correct / rows };
    };
    for (let start = 0, batch = 0; start < n; start += settings.batchSize, batch++) {
      const end = Math.min(n, start + settings.batchSize);
      const step = await trainStep(model.layers, batchOf(data.x, order, start, end), batchTargets(data, order, start, end), c.loss, fused);
      applyGradients(model, c.optimizer, weights, step.grads);
      loss += step.loss;
      correct += step.correct;
      await settings.onBatchEnd?.(batch, logsAfter(end));
      await yieldToEventLoop();
    }
    const logs = logsAfter(n);
    if (validation) {
      const batches = measure(validation, c, fused, settings.batchSize);
      let r = batches.next();
      while (!r.done) r = batches.next(await model.forwardAsyncAs(r.value, fused));
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
  const fused = fusedSoftmax(model, c.loss);
  const data = checkData(model, c.loss, 'x', x, 'y', y);
  const batches = measure(data, c, fused, batchSize);
  let r = batches.next();
  while (!r.done) r = batches.next(model.forwardAs(r.value, fused));
  return r.value;
}
