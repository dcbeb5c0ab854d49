import { describe } from '../validate';
import type { Tensor } from '../tensor';
import { Layer } from './layer';

/** Layers applied in order; each forward is one backend call per layer. */
export class Sequential {
  readonly layers: readonly Layer[];

  constructor(layers: Layer[]) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new TypeError(`Expected non-empty array of layers for Sequential but received ${describe(layers)}`);
    }
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new TypeError(`Expected layer for layers[${i}] but received ${describe(l)}`);
    });
    this.layers = Object.freeze([...layers]);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return this.layers.reduce((shape, l) => l.outputShape(shape), [...inputShape]);
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((t, l) => l.forward(t), x);
  }

  async forwardAsync(x: Tensor): Promise<Tensor> {
    let t = x;
    for (const l of this.layers) t = await l.forwardAsync(t);
    return t;
  }
}
