// compile, fit and evaluate, shared by Sequential and the functional Model: training (lib/train)
// loads on first use through model-services.ts; the model gives it its graph of layers.
import type { Compiled, EvaluateResult, FitResult } from '../train/fit';
import type { BatchOptions, CompileOptions, FitOptions, OutputLabels } from '../train/options';
import type { Tensor } from '../tensor';
import { Batcher, type BatcherOptions } from './batcher';
import { Layer } from './layer';
import { NamedObject } from './layer-name';
import { training } from './model-services';
import type { FlatGraph } from './flat-types';

// Structurally a TrainableModel (trainable-model.ts); no `implements` clause, as the published
// declarations leave the internal members out.
export abstract class ModelBase extends NamedObject {
  private compiled: Compiled | null = null;
  private fitting = false;

  /** @internal */
  abstract flat(): FlatGraph;
  /** @internal */
  abstract outputNames(): string[];
  /** @internal */
  abstract checkInputs(name: string, x: unknown): Tensor[];
  /** @internal */
  abstract forwardLinear(xs: Tensor[], linear: ReadonlySet<number>): Tensor[];
  /** @internal */
  abstract forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]>;

  /** Whether fit trains any of the model's layers; set false to freeze every layer (transfer learning), true to train them all. */
  get trainable(): boolean {
    return this.flat().entries.some((e) => e.layer instanceof Layer && e.layer.trainable);
  }

  set trainable(v: boolean) {
    for (const e of this.flat().entries) if (e.layer instanceof Layer) e.layer.trainable = v;
  }

  /** @internal Whether forward gives an array of outputs (a functional model made with an array of outputs). */
  protected listsOutputs(): boolean {
    return false;
  }

  /**
   * Dynamic batching for a service: a `predict(x)` that joins the requests arriving together
   * into one forwardAsync of at most `maxBatch` samples (an idle batcher waits at most
   * `maxDelayMs` for others to join) and gives each its rows. Opt-in; see Batcher.
   */
  batcher(options?: BatcherOptions): Batcher {
    return new Batcher(this, options, this.listsOutputs());
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
