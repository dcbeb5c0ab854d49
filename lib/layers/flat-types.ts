// The flattened form of a functional model (flat-graph.ts makes it), as types alone: the model
// format's writer reads it without reaching the model classes.
import type { Layer } from '../layers/layer';
import type { MultiInputLayer } from '../layers/multi-input';
import type { SymbolicTensor } from '../layers/symbolic';

/** One layer of the flattened model: the values it reads and the one it writes. */
export interface FlatEntry {
  layer: Layer | MultiInputLayer;
  inputs: number[];
  output: number;
}

export interface FlatGraph {
  /** The model's inputs are values 0 .. inputs - 1. */
  inputs: number;
  entries: FlatEntry[];
  outputs: number[];
  /** Count of values: inputs, then one per entry. */
  values: number;
}

/** What the model format writes of a functional model (not a Sequential, which has no nodes): its name, its inputs and its flattened layers. */
export interface FunctionalSource {
  readonly name: string;
  readonly inputs: readonly SymbolicTensor[];
  flat(): FlatGraph;
}

export function isFunctionalSource(v: unknown): v is FunctionalSource {
  return typeof v === 'object' && v !== null && typeof (v as FunctionalSource).flat === 'function' && 'nodes' in v;
}
