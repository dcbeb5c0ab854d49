// What a functional model is built from and checked against: ck.input's symbolic tensors, the
// rule that gives each applied layer's output shapes, and a model's inputs at run time.
import type { Layer } from '../layers/layer';
import { Named } from '../layers/layer-name';
import { MultiInputLayer } from '../layers/multi-input';
import { Sequential } from '../layers/sequential';
import { type Applicable, type Dim, SymbolicTensor } from '../layers/symbolic';
import { checkData, isTensor, type Tensor } from '../tensor';
import { boolean, describe, knownKeys, options } from '../validate';
import { mergeShape, nextShape, showShape } from './layer-shapes';
import type { RewriteOptions } from './model-graph';

export interface InputOptions {
  /** The shape without the batch axis: [height, width, channels] for images (null: any size). */
  shape: Dim[];
  name?: string;
}

export interface ModelOptions {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
  /** Graph rewrites applied when the model is compiled for a shape (each on by default). */
  rewrites?: RewriteOptions;
}

/** The output shapes of what a node applies, for inputs of these shapes (no batch axis). */
export function shapeRule(layer: Applicable, shapes: readonly (readonly Dim[])[]): Dim[][] {
  const label = `Layer '${layer.name}'`;
  if (layer instanceof MultiInputLayer) {
    if (shapes.length < 2) throw new TypeError(`${label}: expects a list of at least 2 inputs but received ${shapes.length}`);
    return [mergeShape(layer, shapes, label)];
  }
  if (shapes.length !== 1) throw new TypeError(`${label}: expects 1 input but received ${shapes.length}`);
  if (layer instanceof Sequential) return [layer.layers.reduce((s, l, i) => nextShape(l, s, `${label} (its layer ${i}, '${l.name}')`), [...shapes[0]])];
  if ('outputShapesFor' in layer) return (layer as { outputShapesFor(s: readonly (readonly Dim[])[]): Dim[][] }).outputShapesFor(shapes);
  return [nextShape(layer as Layer, shapes[0], label)];
}

/** A model input: the symbolic tensor that layers are applied to (Keras's Input). */
export function input(opts: InputOptions): SymbolicTensor {
  const o = options('input options', opts, false);
  knownKeys('input options', opts, ['shape', 'name']);
  const shape = o.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 1))) {
    throw new TypeError(`Expected non-empty array of positive integers or nulls for shape but received ${describe(shape)}`);
  }
  const named = new Named(() => 'Input');
  named.from(o);
  return new SymbolicTensor(shape as Dim[], null, 0, named.get(), shapeRule);
}

export function checkRewrites(v: unknown): RewriteOptions {
  const o = options('rewrites', v, true);
  if (v !== undefined) knownKeys('rewrites', v as object, ['foldBatchNorm', 'fuseActivations', 'foldPadding']);
  const flag = (k: 'foldBatchNorm' | 'fuseActivations' | 'foldPadding') => boolean(k, o[k] ?? true);
  return { foldBatchNorm: flag('foldBatchNorm'), fuseActivations: flag('fuseActivations'), foldPadding: flag('foldPadding') };
}

export function symbolicList(what: string, v: unknown): SymbolicTensor[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((t) => t instanceof SymbolicTensor)) {
    throw new TypeError(`Expected SymbolicTensor or non-empty array of them for ${what} but received ${describe(v)}`);
  }
  return list;
}

/** x checked as a model's inputs (a Tensor, or an array of one per input when `many`): shapes and one batch size. */
export function checkModelInputs(inputs: readonly SymbolicTensor[], many: boolean, model: string, input: unknown): Tensor[] {
  const given = many ? input : [input];
  if (!Array.isArray(given) || given.length !== inputs.length) {
    throw new TypeError(`Expected ${many ? `an array of ${inputs.length} Tensors` : 'Tensor'} for model '${model}' input but received ${describe(input)}`);
  }
  return given.map((x, i) => {
    const t = inputs[i];
    if (!isTensor(`input '${t.name}'`, x)) throw new TypeError(`Expected Tensor for input '${t.name}' but received ${describe(x)}`);
    const fits = x.shape.length === t.shape.length + 1 && t.shape.every((d, k) => d === null || d === x.shape[k + 1]);
    if (!fits) throw new RangeError(`Expected input '${t.name}' of shape ${showShape(t.shape)} but received shape [${x.shape.join(', ')}]`);
    if (x.shape[0] !== (given[0] as Tensor).shape[0]) throw new RangeError(`Expected every input with the batch size of the first (${(given[0] as Tensor).shape[0]}) but input '${t.name}' has ${x.shape[0]}`);
    return checkData(x, `input '${t.name}'`);
  });
}
