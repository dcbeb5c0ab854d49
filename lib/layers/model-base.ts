// compile, fit and evaluate, shared by Sequential and the functional Model: training (lib/train)
// loads on first use through model-services.ts; the model gives it its graph of layers.
import type { Compiled, EvaluateResult, FitResult } from '../train/fit';
import type { BatchOptions, CompileOptions, FitOptions, OutputLabels } from '../train/options';
import type { Tensor } from '../tensor';
import { Layer } from './layer';
import { NamedObject } from './layer-name';
import { training } from './model-services';
import type { FlatGraph } from './flat-types';
import type { TrainableModel } from './trainable-model';

export abstract class ModelBase extends NamedObject implements TrainableModel {
  private compiled: Compiled | null = null;
  private fitting = false;

  abstract flat(): FlatGraph;
  abstract outputNames(): string[];
  abstract checkInputs(name: string, x: unknown): Tensor[];
  abstract forwardLinear(xs: Tensor[], linear: ReadonlySet<number>): Tensor[];
  abstract forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]>;

  /** Whether fit trains any of the model's layers; set false to freeze every layer (transfer learning), true to train them all. */
  get trainable(): boolean {
    return this.flat().entries.some((e) => e.layer instanceof Layer && e.layer.trainable);
  }

  set trainable(v: boolean) {
    for (const e of this.flat().entries) if (e.layer instanceof Layer) e.layer.trainable = v;
  }

  /** @internal After a fit on x (Sequential records its input shape for save). */
  protected fitted(_x: Tensor[]): void {}

  /**
   * Sets the optimizer and the loss for fit and evaluate (Keras / TensorFlow.js): optimizer
   * 'sgd', 'adam' or an optimizer object; loss 'categoricalCrossentropy',
   * 'sparseCategoricalCrossentropy' or 'meanSquaredError', or, for a model of several outputs,
   * one per output (an array, or an object by output name), weighted by `lossWeights` (default
   * 1 each). A new compile starts a new optimizer; the weights stay as they are.
   */
  compile(options: CompileOptions): void {
    this.compiled = training().compile(options);
  }

  private compiledFor(what: string): Compiled {
    if (!this.compiled) throw new Error(`Expected model.compile({ optimizer, loss }) before ${what}`);
    return this.compiled;
  }

  /**
   * Trains the weights of the layers whose `trainable` is true on x and y for `epochs` passes in
   * batches of `batchSize`, the samples shuffled before each pass (seeded). x: a Tensor, or one
   * per input; y: see Labels, or one per output (an array, or an object by output name).
   * Resolves with the loss (and accuracy, and the validation loss and accuracy) of each epoch.
   * Each batch's forwards and GEMMs run off the event loop and fit yields to it between batches.
   * Rejects on bad input, before any step; do not change the weights while it runs.
   */
  async fit(x: Tensor | Tensor[], y: OutputLabels, options?: FitOptions): Promise<FitResult> {
    const compiled = this.compiledFor('fit');
    if (this.fitting) throw new Error('Expected one fit at a time on a model but another fit on this model is still running');
    this.fitting = true;
    try {
      const result = await training().fit(this, compiled, x, y, options);
      this.fitted(this.checkInputs('x', x));
      return result;
    } finally {
      this.fitting = false;
    }
  }

  /** The compiled loss (and accuracy) on x and y, forward in batches of batchSize (default 32) on this thread. */
  evaluate(x: Tensor | Tensor[], y: OutputLabels, options?: BatchOptions): EvaluateResult {
    return training().evaluate(this, this.compiledFor('evaluate'), x, y, options);
  }
}
