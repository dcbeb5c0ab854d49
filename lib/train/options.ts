// The options of compile and fit, checked in the house format
// (lib/validate.ts). Unlike layer options, a key these do not know is an error: a misspelt
// learningRate or batchSize would otherwise train with the default without a word.
import type { Tensor } from '../tensor';
import { boolean, elements, fail, integer, knownKeys, oneOf, options } from '../validate';
import { LOSS_NAMES, type LossName } from './losses';
import type { OptimizerSpec } from './optimizers';

/** Class indices for sparseCategoricalCrossentropy, or a Tensor of targets (see targets.ts). */
export type Labels = Tensor | Int32Array | Float32Array;

export interface CompileOptions {
  optimizer: OptimizerSpec;
  /** One loss for every output, or one per output: an array in output order, or an object by output name. */
  loss: LossName | LossName[] | Record<string, LossName>;
  /** Each output's loss weight in the total (default 1 each): an array in output order, or an object by output name. */
  lossWeights?: number[] | Record<string, number>;
  /** Accepted for TensorFlow.js code: only ['accuracy'] (or ['acc']), reported anyway for the cross-entropies. */
  metrics?: string[];
}

/** What fit reports after each epoch (accuracy for the cross-entropies only; val* with validationData). */
export interface EpochLogs {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Targets of one output (Labels), or one per output: an array in output order, or an object by output name. */
export type OutputLabels = Labels | Labels[] | Record<string, Labels>;

export interface FitOptions {
  /** Passes over x (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32; the last batch of an epoch may be smaller). */
  batchSize?: number;
  /** Shuffle the samples before each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle: the same seed gives the same batches (default: a random one). */
  seed?: number;
  /** [x, y] evaluated after each epoch (valLoss, valAccuracy). */
  validationData?: [Tensor | Tensor[], OutputLabels];
  /** Called before each epoch (from 0); fit waits for a returned Promise. */
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  /**
   * Called after each batch (from 0 in each epoch) with the epoch's loss and accuracy so far
   * (means over its rows up to this batch, as Keras reports them); fit waits for a Promise.
   */
  onBatchEnd?: (batch: number, logs: EpochLogs) => void | Promise<void>;
  /** Called after each epoch with its logs; fit waits for a returned Promise. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** 1 (default): one line per epoch (loss, accuracy, time) to `log`; 0: silent. */
  verbose?: 0 | 1;
  /** Where verbose lines go (default: console.error, stderr in Node). */
  log?: (line: string) => void;
}

export interface BatchOptions {
  /** Samples per forward (default 32). */
  batchSize?: number;
}

/** Losses and their weights as compile was given them: one for all outputs, a list in output order, or an object by output name. */
export type PerOutput<T> = T | T[] | Record<string, T>;

/** Each entry of a per-output option checked by `check` (an array's or object's entries, or the value itself). */
function perOutput<T>(name: string, v: unknown, check: (name: string, v: unknown) => T, single: boolean): PerOutput<T> {
  if (Array.isArray(v)) {
    if (!v.length) fail('type', 'non-empty array', name, v);
    return v.map((x, i) => check(`${name}[${i}]`, x));
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, check(`${name}.${k}`, x)]));
  if (!single) fail('type', 'array or object by output name', name, v);
  return check(name, v);
}

const lossWeight = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(typeof v === 'number' ? 'range' : 'type', 'finite number >= 0', name, v);
  return v as number;
};

export function checkCompile(v: unknown): { optimizer: unknown; loss: PerOutput<LossName>; lossWeights: PerOutput<number> | null } {
  const o = options('compile options', v, false);
  knownKeys('compile options', v as object, ['optimizer', 'loss', 'lossWeights', 'metrics']);
  const loss = perOutput('loss', o.loss, (n, x) => oneOf(n, x, LOSS_NAMES), true);
  const lossWeights = o.lossWeights === undefined ? null : perOutput('lossWeights', o.lossWeights, lossWeight, false);
  if (o.metrics !== undefined) {
    const metrics = elements('metrics', o.metrics);
    if (metrics === null) fail('type', "array ['accuracy']", 'metrics', o.metrics);
    metrics.forEach((m, i) => oneOf(`metrics[${i}]`, m, ['accuracy', 'acc']));
    if (metrics.length && loss === 'meanSquaredError') {
      throw new RangeError("Expected no metrics for loss 'meanSquaredError' (accuracy is reported for the cross-entropies only)");
    }
  }
  if (o.optimizer === undefined) fail('type', "'sgd', 'adam' or an optimizer object", 'optimizer', o.optimizer);
  return { optimizer: o.optimizer, loss, lossWeights };
}

export interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  validation: [unknown, unknown] | null;
  onEpochBegin: FitOptions['onEpochBegin'] | null;
  onBatchEnd: FitOptions['onBatchEnd'] | null;
  onEpochEnd: FitOptions['onEpochEnd'] | null;
  log: ((line: string) => void) | null;
}

function callback<T>(name: string, v: unknown): T | null {
  if (v === undefined) return null;
  if (typeof v !== 'function') fail('type', 'function', name, v);
  return v as T;
}

export function checkFit(v: unknown): FitSettings {
  const o = options('fit options', v, true);
  if (v !== undefined) knownKeys('fit options', v as object, ['epochs', 'batchSize', 'shuffle', 'seed', 'validationData', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'verbose', 'log']);
  let validation: [unknown, unknown] | null = null;
  if (o.validationData !== undefined) {
    const pair = elements('validationData', o.validationData, 2);
    if (pair === null) fail('type', '[x, y] array', 'validationData', o.validationData);
    validation = [pair[0], pair[1]];
  }
  const verbose = o.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1) fail(typeof verbose === 'number' ? 'range' : 'type', '0 or 1', 'verbose', verbose);
  const log = callback<(line: string) => void>('log', o.log) ?? ((line: string) => console.error(line));
  return {
    epochs: integer('epochs', o.epochs ?? 1),
    batchSize: integer('batchSize', o.batchSize ?? 32),
    shuffle: boolean('shuffle', o.shuffle ?? true),
    seed: o.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integer('seed', o.seed, 0),
    validation,
    onEpochBegin: callback('onEpochBegin', o.onEpochBegin),
    onBatchEnd: callback('onBatchEnd', o.onBatchEnd),
    onEpochEnd: callback('onEpochEnd', o.onEpochEnd),
    log: verbose === 1 ? log : null,
  };
}
