// A flattened functional model compiled for one backend and set of input shapes: each layer
// bound to its operator (a merge layer to its chain of two-input operators), the rewrites
// applied, and one backend graph, so that a forward is one backend call and forwardAsync one job.
//
// Rewrites (each may be switched off with RewriteOptions):
// - foldBatchNorm: a BatchNormalization (its inference affine and activation) whose input is
//   the output of a linear Conv2D, DepthwiseConv2D or Dense read by it alone is taken into that
//   layer's weights and runs no node (Layer.channelAffine, WeightedLayer.planFolded).
// - fuseActivations: an activation layer (ReLU, ReLU capped at 6, an Activation, LeakyReLU and
//   ELU with their default parameters, Softmax) after such a layer, or after the
//   BatchNormalization folded into it, runs in that layer's epilogue: the same function on the
//   same float32 sums, so the same bits.
// - foldPadding: a ZeroPadding2D read by nothing but a Conv2D or DepthwiseConv2D with 'valid' or
//   explicit padding runs nothing: that convolution's node is reshaped for the unpadded input
//   with the pads added to its own (the pads are implicit zeros there, as its own are).
// - Flatten, Reshape and other layers without an operator run nothing: their output is their
//   input's floats under another shape.
// Values are placed in the graph's arena by liveness (the backend's createGraph).
import type { Backend, Graph, GraphNode, Operator, Step, WindowParams } from '../backends/backend';
import { Conv2D } from '../layers/conv2d';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { ZeroPadding2D } from '../layers/padding2d';
import { Activation } from '../activation';
import { type Bound, type ChannelAffine, Layer } from '../layers/layer';
import type { MultiInputLayer } from '../layers/multi-input';
import type { FlatEntry, FlatGraph } from '../layers/flat-types';

export interface RewriteOptions {
  /** Fold a BatchNormalization into the convolution or Dense before it (default true). */
  foldBatchNorm?: boolean;
  /** Run an activation layer in the epilogue of the linear convolution, Dense or folded BatchNormalization before it (default true). */
  fuseActivations?: boolean;
  /** Take a ZeroPadding2D into the pads of the 'valid' (or explicitly padded) Conv2D or DepthwiseConv2D after it (default true). */
  foldPadding?: boolean;
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
  /** Nodes in the backend graph (layers folded away and reshapes run none). */
  nodes: number;
  /** Each layer's weightsStamp when compiled: while none moves, a call with the same key reuses this as it is. */
  stamps: number[];
}

const stampsOf = (flat: FlatGraph) => flat.entries.map((e) => (e.layer instanceof Layer ? e.layer.weightsStamp : 0));


/** Every value's shape (batch first) for inputs of these shapes, each layer checking its own. */
export function valueShapes(flat: FlatGraph, inputs: readonly (readonly number[])[]): number[][] {
  const shapes: number[][] = inputs.map((s) => [...s]);
  for (const e of flat.entries) {
    shapes[e.output] = e.layer instanceof Layer ? labelled(e, () => (e.layer as Layer).outputShape(shapes[e.inputs[0]])) : labelled(e, () => (e.layer as MultiInputLayer).outputShape(e.inputs.map((v) => shapes[v])));
  }
  return shapes;
}

const named = new WeakSet<Error>();

/** f's result; an error says which layer it came from (after its own message, which names the value), once. */
function labelled<T>(e: FlatEntry, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Error && !named.has(err)) {
      err.message = `${err.message} (in layer '${e.layer.name}')`;
      named.add(err);
    }
    throw err;
  }
}

/** How many entries read each value. */
function readers(flat: FlatGraph): number[] {
  const count = new Array<number>(flat.values).fill(0);
  for (const e of flat.entries) for (const v of e.inputs) count[v]++;
  return count;
}

/** An affine with another activation after it, kept per pair (a fold is checked by identity). */
const withActivation = new WeakMap<ChannelAffine, Map<number, ChannelAffine>>();

function thenActivation(affine: ChannelAffine, activation: number): ChannelAffine {
  let m = withActivation.get(affine);
  if (!m) withActivation.set(affine, (m = new Map()));
  let a = m.get(activation);
  if (!a) m.set(activation, (a = { scale: affine.scale, shift: affine.shift, activation }));
  return a;
}

/**
 * Per entry, the affine (and activation) of the layers after it that it takes into its weights,
 * and the entries so folded away: a BatchNormalization, an activation layer, or both in turn,
 * each read by nothing but the one before it, which is no model output.
 */
function folds(flat: FlatGraph, shapes: number[][], linear: ReadonlySet<number>, rewrites: RewriteOptions): { fold: (ChannelAffine | null)[]; gone: Set<number> } {
  const count = readers(flat), outputs = new Set(flat.outputs), fold: (ChannelAffine | null)[] = flat.entries.map(() => null), gone = new Set<number>();
  const readerOf = new Map<number, number>();
  flat.entries.forEach((e, i) => e.inputs.forEach((v) => readerOf.set(v, i)));
  /** The one layer entry that reads entry i's output, with the affine it offers, if rewrites allow taking it. */
  const next = (i: number): { j: number; affine: ChannelAffine } | null => {
    const out = flat.entries[i].output;
    if (count[out] !== 1 || outputs.has(out)) return null;
    const j = readerOf.get(out)!, layer = flat.entries[j].layer;
    const affine = layer instanceof Layer ? layer.channelAffine(shapes[out], linear.has(j)) : null;
    if (!affine || (affine.identity ? rewrites.fuseActivations === false : rewrites.foldBatchNorm === false)) return null;
    return { j, affine };
  };
  flat.entries.forEach((e, i) => {
    if (!(e.layer instanceof Layer) || gone.has(i) || !e.layer.foldsChannelAffine()) return;
    const first = next(i);
    if (!first) return;
    fold[i] = first.affine;
    gone.add(first.j);
    const then = first.affine.identity || first.affine.activation !== Activation.linear ? null : next(first.j);
    if (!then?.affine.identity) return;
    fold[i] = thenActivation(first.affine, then.affine.activation);
    gone.add(then.j);
  });
  return { fold, gone };
}

/** Per entry, the pads of the ZeroPadding2D before it that it takes as its own ([t, b, l, r]), and the ZeroPadding2D entries so taken. */
function padFolds(flat: FlatGraph, rewrites: RewriteOptions): { pads: Map<number, readonly number[]>; gone: Set<number> } {
  const pads = new Map<number, readonly number[]>(), gone = new Set<number>();
  if (rewrites.foldPadding === false) return { pads, gone };
  const count = readers(flat), outputs = new Set(flat.outputs);
  flat.entries.forEach((e, j) => {
    const conv = e.layer;
    if (!(conv instanceof Conv2D || conv instanceof DepthwiseConv2D) || conv.padding === 'same') return;
    const i = flat.entries.findIndex((z) => z.output === e.inputs[0]), z = flat.entries[i];
    if (!z || !(z.layer instanceof ZeroPadding2D) || count[z.output] !== 1 || outputs.has(z.output)) return;
    pads.set(j, z.layer.padding);
    gone.add(i);
  });
  return { pads, gone };
}

/** A convolution's params for the unpadded input, the ZeroPadding2D's pads added to its own. */
function unpadded(p: Step['params'], [t, b, l, r]: readonly number[]): Step['params'] {
  const w = p as WindowParams;
  return { ...w, h: w.h - t - b, w: w.w - l - r, pt: w.pt + t, pb: w.pb + b, pl: w.pl + l, pr: w.pr + r } as Step['params'];
}

/**
 * The model compiled for inputs of these shapes on b; `kept` is returned as it is when nothing
 * it was built from changed. `linear`: entries whose activation is left out (training's logits).
 */
export function compileModel(flat: FlatGraph, inputs: readonly (readonly number[])[], b: Backend, kept: CompiledModel | null, linear: ReadonlySet<number> = new Set(), rewrites: RewriteOptions = {}): CompiledModel {
  const key = `${[...linear].join()}|${rewrites.foldBatchNorm !== false}|${rewrites.fuseActivations !== false}|${rewrites.foldPadding !== false}|${inputs.map((s) => s.join('x')).join()}`;
  const stamps = stampsOf(flat);
  // The common call: the same shapes, backend and weights as the last one (each layer was checked then).
  if (kept && kept.backend === b && kept.epoch === b.epoch && kept.key === key && kept.stamps.every((v, i) => v === stamps[i])) return kept;
  const shapes = valueShapes(flat, inputs);
  const { fold, gone } = folds(flat, shapes, linear, rewrites);
  const padded = padFolds(flat, rewrites);
  for (const i of padded.gone) gone.add(i);
  const bound = flat.entries.map((e, i) => (e.layer instanceof Layer && !gone.has(i) ? e.layer.bind(shapes[e.inputs[0]], b, linear.has(i), fold[i]) : null));
  if (kept && kept.backend === b && kept.epoch === b.epoch && kept.key === key && kept.bound.every((x, i) => x === bound[i])) return { ...kept, stamps };
  kept?.operators.forEach((op) => op.release());

  // value -> the graph value holding its floats (graph inputs first, then one per node).
  const at = new Map<number, number>(inputs.map((_, i) => [i, i]));
  const nodes: GraphNode[] = [], params: Step['params'][] = [], operators: Operator[] = [];
  const node = (operator: Operator, step: Step, reads: number[], pads?: readonly number[]): number => {
    nodes.push({ operator, inputs: reads });
    params.push(pads ? unpadded(step.params, pads) : step.params);
    return flat.inputs + nodes.length - 1;
  };
  flat.entries.forEach((e, i) => {
    const reads = e.inputs.map((v) => at.get(v)!);
    if (gone.has(i)) {
      at.set(e.output, reads[0]); // folded away: the layer before it wrote its result
    } else if (e.layer instanceof Layer) {
      const one = bound[i]!;
      at.set(e.output, one.operator ? node(one.operator, one.step!, reads, padded.pads.get(i)) : reads[0]);
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
  return { backend: b, epoch: b.epoch, key, bound, operators, graph, sources, shapes, arenaBytes, nodes: nodes.length, stamps };
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
