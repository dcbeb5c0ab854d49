// What training (lib/train, a floor above) needs of a model, and what it gets back per layer:
// declared on the layers' floor, which Sequential and the functional Model implement (their
// compile, fit and evaluate reach training through model-services.ts), so that training never
// names either class.
import type { Gradients } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { FlatGraph } from './flat-types';

/** A layer's weight gradients in a backward: the keys its own backward returns. */
export type LayerGradients = Omit<Gradients, 'dx'>;

/** What fit and evaluate need of a model. */
export interface TrainableModel {
  /** The model as its primitive layers, in an order where each comes after what it reads (a Sequential: its chain). */
  flat(): FlatGraph;
  /** The outputs' names, for losses given per output name. */
  outputNames(): string[];
  /** x checked as the model's inputs: one Tensor per input, of one batch size. */
  checkInputs(name: string, x: unknown): Tensor[];
  /** forward, one Tensor per output, with the activation of the entries in `linear` left out (the logits a fused loss starts from). */
  forwardLinear(xs: Tensor[], linear: ReadonlySet<number>): Tensor[];
  forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]>;
}
