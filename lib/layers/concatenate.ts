// Concatenate (Keras, TensorFlow.js): inputs of one rank joined along `axis` (default -1, the
// channels of NHWC), every other axis equal. Each pair is a row copy: the rows are the axes
// before `axis`, each input's row what it holds from `axis` on; several inputs are joined left
// to right. The backward splits dy's rows again.
import type { Backend, ConcatParams, MergeGrads, Step } from '../backends/backend';
import { fail, options } from '../validate';
import { type ChainStep, MultiInputLayer } from './multi-input';

export interface ConcatenateOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** The axis to join along; negative counts from the last (-1, the default: channels). */
  axis?: number;
}

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

export class Concatenate extends MultiInputLayer {
  protected readonly layerName = 'Concatenate';
  readonly axis: number;

  constructor(opts?: ConcatenateOptions) {
    super();
    this.nameFrom(opts);
    const o = options('Concatenate options', opts, true);
    const axis = o.axis ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) fail('type', 'integer', 'axis', axis);
    this.axis = axis as number;
  }

  protected node(a: readonly number[], b: readonly number[]): ChainStep {
    const rank = a.length, axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 0 || axis >= rank) fail('range', `integer in [${-rank}, ${rank - 1}] for inputs of rank ${rank}`, 'axis', this.axis);
    if (b.length !== rank || a.some((d, k) => k !== axis && d !== b[k])) {
      throw new RangeError(`Expected Concatenate inputs of one rank whose sizes match except on axis ${this.axis} but received shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    }
    const params: ConcatParams = { m: product(a.slice(0, axis)), ca: product(a.slice(axis)), cb: product(b.slice(axis)) };
    return { step: { op: 'concat', params }, shape: a.map((d, k) => (k === axis ? d + b[k] : d)) };
  }

  protected nodeGrads(b: Backend, step: Step, _a: Float32Array, _x: Float32Array, dy: Float32Array, sync: boolean): MergeGrads | Promise<MergeGrads> {
    const p = step.params as ConcatParams;
    return sync ? b.concatBackward(dy, p) : b.concatBackwardAsync(dy, p);
  }
}
