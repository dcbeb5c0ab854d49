// Symbolic tensors: what `apply` takes and returns while a functional model is built
// (ck.input -> layer.apply -> ck.model), as tfjs-layers' SymbolicTensor and Keras's KerasTensor:
// a shape without the batch axis (null: any size) and the node that makes it. A node is one
// application of a layer (or a merge layer, or a model used as a layer) to its inputs.
import { describe } from '../validate';

export type Dim = number | null;

/** What a node applies: a layer, a merge layer, a Sequential or a functional model. */
export interface Applicable {
  readonly name: string;
}

export interface SymbolicNode {
  readonly layer: Applicable;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
}

/** The output shapes (no batch axis) of `layer` applied to inputs of these shapes; an error names the layer. */
export type ShapeRule = (layer: Applicable, shapes: readonly (readonly Dim[])[]) => Dim[][];

export class SymbolicTensor {
  /** The shape without the batch axis: sizes, or null where any size goes. */
  readonly shape: readonly Dim[];

  /** @internal `node` is null for a model input (ck.input); `rule` gives the shapes of what is applied to it. */
  constructor(shape: readonly Dim[], readonly node: SymbolicNode | null, readonly index: number, readonly name: string, readonly rule: ShapeRule) {
    this.shape = Object.freeze([...shape]);
  }

  toString(): string {
    return `SymbolicTensor '${this.name}' [${[null, ...this.shape].map(String).join(', ')}]`;
  }
}

/** The node that applied each layer: a layer is applied once (its weights are not shared between places in a graph). */
const applied = new WeakMap<Applicable, SymbolicNode>();

/** The node that applied `layer`, if any. */
export function nodeOf(layer: Applicable): SymbolicNode | undefined {
  return applied.get(layer);
}

/** v as symbolic tensors: one, or a list of them when `many`. */
function symbolicInputs(layer: Applicable, v: unknown, many: boolean): SymbolicTensor[] {
  const list = many && Array.isArray(v) ? v : [v];
  list.forEach((x, i) => {
    if (!(x instanceof SymbolicTensor)) {
      const what = many && Array.isArray(v) ? `input ${i} of` : 'the input of';
      throw new TypeError(`Expected SymbolicTensor (from ck.input or another layer's apply) for ${what} layer '${layer.name}' apply but received ${describe(x)}`);
    }
  });
  return list as SymbolicTensor[];
}

/**
 * Applies `layer` to symbolic inputs (one, or a list when `many`): the node and its outputs,
 * shaped by the inputs' rule. A second application of one layer is refused.
 */
export function applySymbolic(layer: Applicable, input: unknown, many: boolean): SymbolicTensor[] {
  const inputs = symbolicInputs(layer, input, many);
  const before = applied.get(layer);
  if (before) {
    throw new RangeError(`Layer '${layer.name}' is already applied (to ${before.inputs.map(String).join(', ')}): convkit does not share one layer's weights between two places in a graph; make another layer and give it the same weights`);
  }
  const rule = inputs[0].rule;
  const shapes = rule(layer, inputs.map((x) => x.shape));
  const outputs: SymbolicTensor[] = [];
  const node: SymbolicNode = { layer, inputs, outputs };
  shapes.forEach((s, i) => outputs.push(new SymbolicTensor(s, node, i, shapes.length > 1 ? `${layer.name}/${i}` : layer.name, rule)));
  Object.freeze(outputs);
  applied.set(layer, node);
  return outputs;
}
