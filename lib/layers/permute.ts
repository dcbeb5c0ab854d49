import type { Backend, PermuteParams, Step } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape } from '../shape';
import { Tensor } from '../tensor';
import { listOption } from './list-option';
import type { Planned } from './layer';
import { WeightlessLayer } from './weightless';

export interface PermuteOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** Keras's dims: a permutation of 1 .. rank - 1 (the batch axis stays first), e.g. [2, 1, 3]. */
  dims: number[];
}

/** The op's params: the sample's axes padded to three at the front, the permutation shifted alike. */
function params(shape: readonly number[], dims: readonly number[]): PermuteParams {
  const pad = 3 - dims.length, d = [1, 1, 1, ...shape.slice(1)].slice(-3);
  const p = [0, 1, 2].map((k) => (k < pad ? k : pad + dims[k - pad] - 1));
  return { n: shape[0], d0: d[0], d1: d[1], d2: d[2], p0: p[0], p1: p[1], p2: p[2] };
}

/** The step that undoes this permutation (the backward's). */
function inverse(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  dims.forEach((d, k) => (out[d - 1] = k + 1));
  return out;
}

/** Keras Permute: [N, ...] with the sample's axes reordered (rank 2 to 4 inputs). */
export class Permute extends WeightlessLayer {
  protected readonly input = { name: 'Permute', rank: 2, atLeast: true };
  readonly dims: readonly number[];

  constructor(opts: PermuteOptions) {
    super();
    this.nameFrom(opts);
    const permutation = (d: number[]) => d.length >= 1 && d.length <= 3 && [...d].sort().every((v, i) => v === i + 1);
    this.dims = listOption('Permute', opts, 'dims', permutation, 'a permutation of 1 .. n (n at most 3)');
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== this.dims.length + 1) {
      throw new RangeError(`Expected Permute input shape of rank ${this.dims.length + 1} (dims [${this.dims.join(', ')}]) but received [${shape.join(', ')}]`);
    }
    return [shape[0], ...this.dims.map((d) => shape[d])];
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    return { shape: this.outputShape(shape), step: { op: 'permute', params: params(shape, this.dims) } };
  }

  /** dx is dy permuted back: one backend call of the inverse permutation. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const step: Step = { op: 'permute', params: params(dy.shape, inverse(this.dims)) };
    const operator = () => {
      const op = b.createOperator(step);
      op.reshape(step.params);
      return op;
    };
    return {
      sync: () => {
        const op = operator();
        try {
          return { dx: new Tensor(op.run(dy.data), x.shape) };
        } finally {
          op.release();
        }
      },
      async: async () => {
        const op = operator(); // runAsync copies dy before it returns
        try {
          return { dx: new Tensor(await op.runAsync(dy.data), x.shape) };
        } finally {
          op.release();
        }
      },
    };
  }
}
