import type { Backend } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape, product } from '../shape';
import { Tensor } from '../tensor';
import { listOption } from './list-option';
import type { Planned } from './layer';
import { WeightlessLayer } from './weightless';

export interface ReshapeOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** The output shape without the batch dimension: positive sizes, at most one -1 (inferred). */
  targetShape: number[];
}

/**
 * Keras Reshape: [N, ...] -> [N, ...targetShape], the floats in the same row-major order. No
 * backend call: in a Sequential chain it costs nothing (the next step reads the same floats);
 * forward alone returns a copy with the new shape, backward reshapes dy.
 */
export class Reshape extends WeightlessLayer {
  protected readonly input = { name: 'Reshape', rank: 1, atLeast: true };
  readonly targetShape: readonly number[];

  constructor(opts: ReshapeOptions) {
    super();
    this.nameFrom(opts);
    const sizes = (t: number[]) => t.length > 0 && t.every((d) => d >= 1 || d === -1) && t.filter((d) => d === -1).length <= 1;
    this.targetShape = listOption('Reshape', opts, 'targetShape', sizes, 'array of positive integers with at most one -1');
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 1) throw new RangeError(`Expected Reshape input shape of rank >= 1 but received [${shape.join(', ')}]`);
    const floats = product(shape.slice(1)), known = product(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? floats / known : d));
    if (product(out) !== floats || !out.every(Number.isInteger)) {
      throw new RangeError(`Expected targetShape [${this.targetShape.join(', ')}] to hold the ${floats} floats of each sample of input [${shape.join(', ')}]`);
    }
    return [shape[0], ...out];
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    return { shape: this.outputShape(shape), step: null };
  }

  /** dx is dy (a copy, taken at the call) with x's shape; no backend call. */
  protected gradCall(x: Tensor, dy: Tensor): GradCall {
    const dx = () => ({ dx: new Tensor(dy.data.slice(), x.shape) });
    return { sync: dx, async: () => Promise.resolve(dx()) };
  }
}
