import { describe, float32Array, float32Length, readable } from './validate';
import { checkShape, product } from './shape';

/** Passed by tensorOf: the data and shape are the library's own, already consistent. */
const TRUSTED = Symbol('trusted');

/** A float32 tensor: flat row-major data and its shape. Images are NHWC. */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];

  constructor(data: Float32Array, shape: readonly number[], trusted?: typeof TRUSTED) {
    if (trusted === TRUSTED) {
      this.data = data;
      this.shape = shape;
      return;
    }
    float32Array('data', data);
    const dims = checkShape('shape', shape);
    checkLength(data, dims, '', '');
    this.data = data;
    this.shape = Object.freeze(dims);
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

/**
 * A Tensor of an op's output without checking again: data has exactly the floats of shape, a
 * frozen array the caller never changes (the output shapes layers keep per input shape).
 */
export function tensorOf(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape, TRUSTED);
}

/** x instanceof Tensor, where a throwing Proxy trap is a TypeError naming `name`. */
export function isTensor(name: string, x: unknown): x is Tensor {
  return readable(name, () => x instanceof Tensor);
}

/** Checks a layer input: a Tensor of the given rank (or at least minRank). */
export function checkInput(layer: string, x: unknown, rank: number, atLeast = false): Tensor {
  if (!isTensor(`${layer} input`, x)) {
    throw new TypeError(`Expected Tensor for ${layer} input but received ${describe(x)}`);
  }
  checkRank(layer, x.shape, rank, atLeast);
  return checkData(x, `${layer} input`);
}

/** Checks the rank of a layer's input shape (rank, or at least rank). */
export function checkRank(layer: string, shape: readonly number[], rank: number, atLeast = false): void {
  if (atLeast ? shape.length < rank : shape.length !== rank) {
    const want = atLeast ? `rank >= ${rank}` : `rank ${rank}${rank === 4 ? ' (NHWC)' : ''}`;
    throw new RangeError(`Expected ${layer} input of ${want} but received shape [${shape.join(', ')}]`);
  }
}

/**
 * Checks, at call time, that a Tensor's data still holds the product of its shape: its buffer
 * may have been detached (transferred) or resized since the Tensor was made.
 */
export function checkData(x: Tensor, owner: string): Tensor {
  checkLength(x.data, x.shape, `${owner} of `, ' (was its buffer detached or resized?)');
  return x;
}

function checkLength(data: Float32Array, shape: readonly number[], owner: string, hint: string): void {
  const length = float32Length(data);
  if (product(shape) !== length) {
    throw new RangeError(
      `Expected data of length ${product(shape)} for ${owner}shape [${shape.join(', ')}] but received length ${length}${hint}`,
    );
  }
}
