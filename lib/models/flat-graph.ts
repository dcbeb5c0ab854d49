// A functional model as the primitive layers it runs: nested models and Sequentials opened up
// into their layers, every symbolic tensor a numbered value (the model's inputs first, then one
// per layer, in an order where each layer comes after the values it reads). Running, saving and
// training walk this list.
import { Layer } from '../layers/layer';
import { MultiInputLayer } from '../layers/multi-input';
import { Sequential } from '../layers/sequential';
import type { Applicable, SymbolicNode, SymbolicTensor } from '../layers/symbolic';
import type { FlatGraph } from '../layers/flat-types';

export type { FlatEntry, FlatGraph } from '../layers/flat-types';

/** What a functional model shows of itself to the flattening (functional.ts's Model). */
export interface GraphModel extends Applicable {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  readonly nodes: readonly SymbolicNode[];
}

export function isGraphModel(v: unknown): v is GraphModel {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'outputs' in v && 'inputs' in v && !(v instanceof Sequential);
}

export function flattenModel(model: GraphModel): FlatGraph {
  const flat: FlatGraph = { inputs: model.inputs.length, entries: [], outputs: [], values: model.inputs.length };
  const emit = (layer: Layer | MultiInputLayer, inputs: number[]): number => {
    flat.entries.push({ layer, inputs, output: flat.values });
    return flat.values++;
  };
  const expand = (what: Applicable, inputs: number[]): number[] => {
    if (what instanceof Layer || what instanceof MultiInputLayer) return [emit(what, inputs)];
    if (what instanceof Sequential) return [what.layers.reduce((v, l) => emit(l, [v]), inputs[0])];
    if (isGraphModel(what)) return open(what, inputs);
    throw new TypeError(`Expected a layer, Sequential or functional model in a model but received ${String(what)}`);
  };
  const open = (m: GraphModel, inputs: number[]): number[] => {
    const value = new Map<SymbolicTensor, number>(m.inputs.map((t, i) => [t, inputs[i]]));
    for (const node of m.nodes) {
      const outs = expand(node.layer, node.inputs.map((t) => value.get(t)!));
      node.outputs.forEach((t, i) => value.set(t, outs[i]));
    }
    return m.outputs.map((t) => value.get(t)!);
  };
  flat.outputs = open(model, model.inputs.map((_, i) => i));
  return flat;
}

/** The nodes that make `outputs` from `inputs`, each after the nodes whose outputs it reads; an output that needs another input is refused. */
export function nodesBetween(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): SymbolicNode[] {
  const order: SymbolicNode[] = [], done = new Set<SymbolicNode>(), known = new Set(inputs);
  // A node's inputs exist before it does: no cycles.
  const visit = (t: SymbolicTensor): void => {
    if (known.has(t)) return;
    const node = t.node;
    if (!node) throw new RangeError(`Expected the model's outputs to be computed from its inputs but they need input '${t.name}', which is not one of them`);
    if (done.has(node)) return;
    node.inputs.forEach(visit);
    done.add(node);
    order.push(node);
  };
  outputs.forEach(visit);
  return order;
}
