import { backend } from '../backends/select';
import { describe } from '../validate';
import type { Backend, Step } from '../backends/backend';
import { Tensor } from '../tensor';
import { Layer, runAsync } from './layer';

/** Layers applied in order. */
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

  /**
   * On this thread: one backend call for the whole chain where the backend has one (wasm keeps
   * the intermediates in its memory), otherwise one call per layer. Same bits either way.
   */
  forward(x: Tensor): Tensor {
    const b = backend();
    if (!b.sequential) return this.layers.reduce((t, l) => l.forward(t), x);
    const { input, steps, shape } = this.plan(x, b);
    return new Tensor(b.sequential(input.data, steps), shape);
  }

  /**
   * The same result as forward, computed off the event loop in one trip for the whole chain:
   * every layer is planned (and validated) here from the shapes, then the backend runs the steps
   * one after another without coming back to JavaScript in between. The call reads x, the
   * weights and the biases as they are now (see the in-flight rule in backend.ts).
   */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    const b = backend();
    const { input, steps, shape } = this.plan(x, b);
    return runAsync({ shape, async: () => b.sequentialAsync(input.data, steps) });
  }

  /** Every layer's step for x's shape, validated and planned from the shapes alone. */
  private plan(x: Tensor, b: Backend): { input: Tensor; steps: Step[]; shape: number[] } {
    const input = this.layers[0].checkInput(x);
    const steps: Step[] = [];
    let shape: readonly number[] = input.shape;
    for (const l of this.layers) {
      const planned = l.planStep(shape, b);
      steps.push(planned.step);
      shape = planned.shape;
    }
    return { input, steps, shape: [...shape] };
  }
}
