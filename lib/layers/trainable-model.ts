// What training (lib/train, a floor above) needs of a model, and what it gets back per layer:
// declared on the layers' floor, which Sequential implements, so that training never names
// Sequential (whose compile and fit reach training through model-services.ts).
import type { Gradients } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { Layer } from './layer';

/** Layer i's weight gradients in Sequential.backward: the keys its own backward returns. */
export type LayerGradients = Omit<Gradients, 'dx'>;

/** What fit needs of a model: its layers, and its forward with the last activation left out. */
export interface TrainableModel {
  readonly layers: readonly Layer[];
  outputShape(inputShape: readonly number[]): number[];
  forwardAs(x: Tensor, linearLast: boolean): Tensor;
  forwardAsyncAs(x: Tensor, linearLast: boolean): Promise<Tensor>;
}
