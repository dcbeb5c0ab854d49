import { describe, fail, float32Array, integer } from './validate';
import { product } from './shape';

/** A float32 tensor: flat row-major data and its shape. Images are NHWC. */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];

  constructor(data: Float32Array, shape: readonly number[]) {
    float32Array('data', data);
    if (!Array.isArray(shape)) fail('type', 'array of positive integers', 'shape', shape);
    shape.forEach((d, i) => integer(`shape[${i}]`, d));
    if (product(shape) !== data.length) {
      throw new RangeError(
        `Expected data of length ${product(shape)} for shape [${shape.join(', ')}] but received length ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** The same data seen with another shape of the same size (no copy). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }
}

/** Checks a layer input: a Tensor of the given rank (or at least minRank). */
export function checkInput(layer: string, x: unknown, rank: number, atLeast = false): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Expected Tensor for ${layer} input but received ${describe(x)}`);
  }
  if (atLeast ? x.rank < rank : x.rank !== rank) {
    const want = atLeast ? `rank >= ${rank}` : `rank ${rank}${rank === 4 ? ' (NHWC)' : ''}`;
    throw new RangeError(`Expected ${layer} input of ${want} but received shape [${x.shape.join(', ')}]`);
  }
  return x;
}
