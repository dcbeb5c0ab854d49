// The elementwise merge layers of Keras and TensorFlow.js: Add, Subtract, Multiply, Maximum,
// Minimum, Average. Inputs of one rank (at most 4) whose sizes on each axis are equal or 1 (a
// size-1 axis spreads over the others', as a [N, 1, 1, C] squeeze-and-excite gate over
// [N, H, W, C]); several inputs folded left as Keras folds them ((a + b) + c), Average dividing
// the sum by the count of inputs.
import type { Backend, MergeGrads, MergeParams, Step } from '../backends/backend';
import { MERGE } from '../generated/kernels';
import { options } from '../validate';
import { type ChainStep, MultiInputLayer } from './multi-input';

export type MergeMode = keyof typeof MERGE;

/** The shape padded in front with ones to 4 axes. */
const four = (s: readonly number[]) => [...Array(4 - s.length).fill(1), ...s];

/** An elementwise merge of two or more inputs (the Keras merge layers). */
export abstract class ElementwiseMerge extends MultiInputLayer {
  protected abstract readonly mode: MergeMode;
  /** Average: the sum divided by the count of inputs. */
  protected readonly average: boolean = false;
  /** Subtract: exactly two inputs. */
  protected readonly pair: boolean = false;

  /** Keras's merge layers take no options of their own; a non-object is refused. */
  constructor(opts?: { name?: string }) {
    super();
    this.nameFrom(opts);
    options('merge layer options', opts, true);
  }

  protected node(a: readonly number[], b: readonly number[], last: boolean, count: number): ChainStep {
    if (this.pair && count !== 2) throw new RangeError(`Expected exactly 2 inputs for ${this.layerName} but received ${count}`);
    if (a.length !== b.length || a.length > 4 || a.some((d, k) => d !== b[k] && d !== 1 && b[k] !== 1)) {
      throw new RangeError(`Expected ${this.layerName} inputs of one rank (at most 4) whose sizes on each axis are equal or 1 but received shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    }
    const [an, ah, aw, ac] = four(a), [bn, bh, bw, bc] = four(b);
    const params: MergeParams = { an, ah, aw, ac, bn, bh, bw, bc, mode: MERGE[this.mode], divisor: this.average && last ? count : 0 };
    return { step: { op: 'merge', params }, shape: a.map((d, k) => Math.max(d, b[k])) };
  }

  protected nodeGrads(b: Backend, step: Step, a: Float32Array, x: Float32Array, dy: Float32Array, sync: boolean): MergeGrads | Promise<MergeGrads> {
    const p = step.params as MergeParams;
    return sync ? b.mergeBackward(a, x, dy, p) : b.mergeBackwardAsync(a, x, dy, p);
  }
}

/** inputs[0] + inputs[1] + ... */
export class Add extends ElementwiseMerge {
  protected readonly layerName = 'Add';
  protected readonly mode = 'add';
}

/** inputs[0] - inputs[1] (exactly two inputs). */
export class Subtract extends ElementwiseMerge {
  protected readonly layerName = 'Subtract';
  protected readonly mode = 'subtract';
  protected override readonly pair = true;
}

/** inputs[0] * inputs[1] * ... (a [N, 1, 1, C] gate spreads over [N, H, W, C]). */
export class Multiply extends ElementwiseMerge {
  protected readonly layerName = 'Multiply';
  protected readonly mode = 'multiply';
}

/** The elementwise maximum (NaN where any input is NaN); the gradient goes to the first maximal input. */
export class Maximum extends ElementwiseMerge {
  protected readonly layerName = 'Maximum';
  protected readonly mode = 'maximum';
}

/** The elementwise minimum (NaN where any input is NaN); the gradient goes to the first minimal input. */
export class Minimum extends ElementwiseMerge {
  protected readonly layerName = 'Minimum';
  protected readonly mode = 'minimum';
}

/** (inputs[0] + inputs[1] + ...) / the count of inputs. */
export class Average extends ElementwiseMerge {
  protected readonly layerName = 'Average';
  protected readonly mode = 'add';
  protected override readonly average = true;
}
