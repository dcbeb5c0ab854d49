import { options } from '../validate';
import { Layer, type Weights } from './layer';

/** A layer without weights (MaxPool2D, Flatten): getWeights gives nulls, setWeights takes only nulls. */
export abstract class WeightlessLayer extends Layer {
  getWeights(): Weights {
    return { kernel: null, bias: null };
  }

  setWeights(weights: Partial<Weights>): void {
    const w = options('weights', weights, false);
    if ((w.kernel ?? null) !== null || (w.bias ?? null) !== null) {
      throw new TypeError(`Expected no kernel or bias for ${this.input.name}: it has no weights`);
    }
  }
}
