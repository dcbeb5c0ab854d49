// A flattened functional model compiled for one backend and set of input shapes: each layer
// bound to its operator (a merge layer to its chain of two-input operators), the rewrites
// applied, and one backend graph, so that a forward is one backend call and forwardAsync one job.
//
// Rewrites (each may be switched off with RewriteOptions):
// - foldBatchNorm: a BatchNormalization (its inference affine and activation) whose input is
//   the output of a linear Conv2D, DepthwiseConv2D or Dense read by it alone is taken into that
//   layer's weights and runs no node (Layer.channelAffine, WeightedLayer.planFolded).
// - Flatten, Reshape and other layers without an operator run nothing: their output is their
//   input's floats under another shape.
// Values are placed in the graph's arena by liveness (the backend's createGraph).
import type { Backend, Graph, GraphNode, Operator, Step } from '../backends/backend';
import { type Bound, type ChannelAffine, Layer } from '../layers/layer';
import type { MultiInputLayer } from '../layers/multi-input';
import type { FlatEntry, FlatGraph } from './flat-types';

export interface RewriteOptions {
  /** Fold a BatchNormalization into the convolution or Dense before it (default true). */
  foldBatchNorm?: boolean;
}

/** Where a model output's floats come from after a run: a graph output, or a model input as it is. */
type OutputSource = { graph: number } | { input: number };

export interface CompiledModel {
  backend: Backend;
  epoch: number;
  key: string;
  /** Per entry: its binding (layers), null for merge layers and for entries folded away. */
  bound: (Bound | null)[];
  /** The merge layers' operators, owned by this compilation. */
  operators: Operator[];
  graph: Graph | null;
  sources: OutputSource[];
  /** Shapes of every value (batch first). */
  shapes: number[][];
  arenaBytes: number;
}

/** Every value's shape (batch first) for inputs of these shapes, each layer checking its own. */
export function valueShapes(flat: FlatGraph, inputs: readonly (readonly number[])[]): number[][] {
  const shapes: number[][] = inputs.map((s) => [...s]);
  for (const e of flat.entries) {
    shapes[e.output] = e.layer instanceof Layer ? labelled(e, () => (e.layer as Layer).outputShape(shapes[e.inputs[0]])) : labelled(e, () => (e.layer as MultiInputLayer).outputShape(e.inputs.map((v) => shapes[v])));
  }
  return shapes;
}

/** f's result, an error prefixed with the layer's name. */
function labelled<T>(e: FlatEntry, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Error && !err.message.startsWith('Layer ')) err.message = `Layer '${e.layer.name}': ${err.message}`;
    throw err;
  }
}

/** How many entries read each value. */
function readers(flat: FlatGraph): number[] {
  const count = new Array<number>(flat.values).fill(0);
  for (const e of flat.entries) for (const v of e.inputs) count[v]++;
  return count;
}

/** Per entry, the affine of the BatchNormalization after it that it takes into its weights, and the entries so folded away. */
function folds(flat: FlatGraph, shapes: number[][], linear: ReadonlySet<number>): { fold: (ChannelAffine | null)[]; gone: Set<number> } {
  const count = readers(flat), outputs = new Set(flat.outputs), fold: (ChannelAffine | null)[] = flat.entries.map(() => null), gone = new Set<number>();
  const readerOf = new Map<number, number>();
  flat.entries.forEach((e, i) => e.inputs.forEach((v) => readerOf.set(v, i)));
  flat.entries.forEach((e, i) => {
    if (!(e.layer instanceof Layer) || gone.has(i) || count[e.output] !== 1 || outputs.has(e.output) || !e.layer.foldsChannelAffine()) return;
    const j = readerOf.get(e.output)!, next = flat.entries[j];
    if (!(next.layer instanceof Layer)) return;
    const affine = next.layer.channelAffine(shapes[e.output], linear.has(j));
    if (!affine) return;
    fold[i] = affine;
    gone.add(j);
  });
  return { fold, gone };
}

/**
 * The model compiled for inputs of these shapes on b; `kept` is returned as it is when nothing
 * it was built from changed. `linear`: entries whose activation is left out (training's logits).
 */
export function compileModel(flat: FlatGraph, inputs: readonly (readonly number[])[], b: Backend, kept: CompiledModel | null, linear: ReadonlySet<number> = new Set(), rewrites: RewriteOptions = {}): CompiledModel {
  const shapes = valueShapes(flat, inputs);
  const { fold, gone } = rewrites.foldBatchNorm === false ? { fold: flat.entries.map(() => null), gone: new Set<number>() } : folds(flat, shapes, linear);
  const bound = flat.entries.map((e, i) => (e.layer instanceof Layer && !gone.has(i) ? e.layer.bind(shapes[e.inputs[0]], b, linear.has(i), fold[i]) : null));
  const key = `${[...linear].join()}|${rewrites.foldBatchNorm !== false}|${inputs.map((s) => s.join('x')).join()}`;
  if (kept && kept.backend === b && kept.epoch === b.epoch && kept.key === key && kept.bound.every((x, i) => x === bound[i])) return kept;
  kept?.operators.forEach((op) => op.release());

  // value -> the graph value holding its floats (graph inputs first, then one per node).
  const at = new Map<number, number>(inputs.map((_, i) => [i, i]));
  const nodes: GraphNode[] = [], params: Step['params'][] = [], operators: Operator[] = [];
  const node = (operator: Operator, step: Step, reads: number[]): number => {
    nodes.push({ operator, inputs: reads });
    params.push(step.params);
    return flat.inputs + nodes.length - 1;
  };
  flat.entries.forEach((e, i) => {
    const reads = e.inputs.map((v) => at.get(v)!);
    if (gone.has(i)) {
      at.set(e.output, reads[0]); // a folded BatchNormalization: its input's producer wrote its result
    } else if (e.layer instanceof Layer) {
      const one = bound[i]!;
      at.set(e.output, one.operator ? node(one.operator, one.step!, reads) : reads[0]);
    } else {
      const chain = labelled(e, () => (e.layer as MultiInputLayer).chainSteps(e.inputs.map((v) => shapes[v])));
      let value = reads[0];
      chain.forEach((c, k) => {
        const op = b.createOperator(c.step);
        operators.push(op);
        value = node(op, c.step, [value, reads[k + 1]]);
      });
      at.set(e.output, value);
    }
  });
  const finals = flat.outputs.map((v) => at.get(v)!);
  const graphOutputs = [...new Set(finals.filter((g) => g >= flat.inputs))];
  const sources: OutputSource[] = finals.map((g) => (g < flat.inputs ? { input: g } : { graph: graphOutputs.indexOf(g) }));
  const graph = nodes.length && graphOutputs.length ? b.createGraph(flat.inputs, nodes, graphOutputs) : null;
  const arenaBytes = graph ? graph.reshape(params).arenaBytes : 0;
  return { backend: b, epoch: b.epoch, key, bound, operators, graph, sources, shapes, arenaBytes };
}

/** The model's outputs from a run's graph outputs and its inputs: each array its own (an output read twice is copied). */
export function outputsOf(c: CompiledModel, ran: Float32Array[], inputs: readonly Float32Array[]): Float32Array[] {
  const taken = new Set<Float32Array>();
  return c.sources.map((s) => {
    const a = 'graph' in s ? ran[s.graph] : inputs[s.input];
    const mine = taken.has(a) || 'input' in s ? a.slice() : a;
    taken.add(a);
    return mine;
  });
}
