// What training (lib/train, a floor above) needs of a layer, declared here on the layers' floor:
// training reaches a layer's weights through this interface, never through its class, so that
// nothing here imports training.
import type { ActivationName } from '../activation';

/** A layer with weights that fit updates (Conv2D and Dense: WeightedLayer; BatchNormalization). */
export interface Trainable {
  /** The activation after the GEMM: a softmax last lets fit take the loss from the logits. */
  readonly activation: ActivationName;
  /**
   * The layer's own kernel and bias arrays, which the optimizer updates in place; from now on
   * the layer keeps its kernel unpacked beside the packed copy, until endTraining.
   */
  trainableWeights(): Record<string, Float32Array | null>;
  /** The trainable weights changed in place: the next forward packs them again. */
  weightsUpdated(): void;
  /** fit is done with the layer. */
  endTraining(): void;
}
