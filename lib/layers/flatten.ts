import type { Backend } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape, product } from '../shape';
import { Tensor } from '../tensor';
import { options } from '../validate';
import type { Planned } from './layer';
import { WeightlessLayer } from './weightless';

/**
 * Keras Flatten: [N, ...] -> [N, product of the rest], the floats in the same (row-major, NHWC)
 * order; [N] becomes [N, 1]. No backend call: forward copies x, backward reshapes dy. In a
 * Sequential chain it is a reshape between two steps.
 */
export class Flatten extends WeightlessLayer {
  protected readonly input = { name: 'Flatten', rank: 1, atLeast: true };

  /** Takes no options (channels-last data only); an options object, if given, must be one. */
  constructor(opts?: { name?: string }) {
    super();
    this.nameFrom(opts);
    options('Flatten options', opts, true);
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 1) {
      throw new RangeError(`Expected Flatten input shape of rank >= 1 but received [${shape.join(', ')}]`);
    }
    return [shape[0], product(shape.slice(1))];
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
