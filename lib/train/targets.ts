// y for fit and evaluate, checked once against the model's output shape [N, ..., classes]:
// - categoricalCrossentropy: a Tensor of the output's shape (one-hot rows, or probabilities);
// - meanSquaredError: a Tensor of the output's shape;
// - sparseCategoricalCrossentropy: a class index per row of the output's last axis, as an
//   Int32Array or Float32Array of that many integers, or a Tensor shaped like the output without
//   its last axis (or with a last axis of 1), each an integer in [0, classes).
import { isTensor, checkData } from '../tensor';
import { describe, float32Length, readable, typedArrayType } from '../validate';
import type { LossName, Targets } from './losses';

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** The class indices of sparse targets: an Int32Array, a Float32Array or the data of a Tensor. */
function classValues(name: string, y: unknown, outShape: readonly number[]): ArrayLike<number> {
  const rows = outShape.slice(0, -1), want = `a Tensor of shape ${shapeText(rows)} (or ${shapeText([...rows, 1])}), an Int32Array or a Float32Array of class indices`;
  if (isTensor(name, y)) {
    const shape = y.shape;
    const fits = shapeText(shape) === shapeText(rows) || shapeText(shape) === shapeText([...rows, 1]);
    if (!fits) throw new RangeError(`Expected ${want} for ${name} but received a Tensor of shape ${shapeText(shape)}`);
    return checkData(y, name).data;
  }
  const kind = readable(name, () => typedArrayType(y));
  if (kind !== 'Int32Array' && kind !== 'Float32Array') throw new TypeError(`Expected ${want} for ${name} but received ${describe(y)}`);
  const values = y as Int32Array | Float32Array;
  const length = kind === 'Float32Array' ? float32Length(values as Float32Array) : values.byteLength / 4;
  const count = rows.reduce((a, b) => a * b, 1);
  if (length !== count) throw new RangeError(`Expected ${count} class indices (one per row of the output ${shapeText(outShape)}) for ${name} but received ${length}`);
  return values;
}

/** y checked for `loss` against the model output's shape for the whole of x. */
export function checkTargets(name: string, loss: LossName, y: unknown, outShape: readonly number[]): Targets {
  const classes = outShape[outShape.length - 1];
  if (loss === 'sparseCategoricalCrossentropy') {
    const values = classValues(name, y, outShape), out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const c = values[i];
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        throw new RangeError(`Expected class index (an integer in [0, ${classes - 1}]) for ${name}[${i}] but received ${describe(c)}`);
      }
      out[i] = c;
    }
    return { kind: 'sparse', classes: out };
  }
  if (!isTensor(name, y)) throw new TypeError(`Expected Tensor of shape ${shapeText(outShape)} (the model's output) for ${name} but received ${describe(y)}`);
  if (shapeText(y.shape) !== shapeText(outShape)) {
    throw new RangeError(`Expected ${name} of shape ${shapeText(outShape)} (the model's output for x) but received shape ${shapeText(y.shape)}`);
  }
  return { kind: 'dense', values: checkData(y, name).data.slice() };
}

/** The targets of the given samples (each `rowsPerSample` rows of `cols` values), in that order. */
export function gatherTargets(t: Targets, samples: ArrayLike<number>, rowsPerSample: number, cols: number): Targets {
  if (t.kind === 'sparse') return { kind: 'sparse', classes: gather(t.classes, samples, rowsPerSample) };
  return { kind: 'dense', values: gather(t.values, samples, rowsPerSample * cols) };
}

/** The runs of `width` elements of `data` at the given indices, one after another. */
export function gather<T extends Float32Array | Int32Array>(data: T, indices: ArrayLike<number>, width: number): T {
  const out = new (data.constructor as { new (n: number): T })(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(data.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}
