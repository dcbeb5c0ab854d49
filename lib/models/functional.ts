// Functional models (Keras's Functional, tfjs-layers' LayersModel): layers joined by the symbolic
// tensors that ck.input and apply make, with branches, merges, several inputs and outputs, and
// models used as layers. Run as one backend graph (model-graph.ts): forward is one backend call,
// forwardAsync one job off the event loop.
import { backend } from '../backends/select';
import type { Layer, Weights } from '../layers/layer';
import { runAsync } from '../layers/layer';
import { ModelBase } from '../layers/model-base';
import { saving } from '../layers/model-services';
import type { ModelArtifacts } from '../model/artifacts';
import { MultiInputLayer } from '../layers/multi-input';
import { checkBatchSize } from '../layers/predict';
import { type Applicable, applySymbolic, type Dim, type SymbolicNode, SymbolicTensor } from '../layers/symbolic';
import { Tensor } from '../tensor';
import { knownKeys, options } from '../validate';
import { type FlatGraph, flattenModel, isGraphModel, nodesBetween } from './flat-graph';
import { checkModelInputs, checkRewrites, type ModelOptions, shapeRule, symbolicList } from './model-input';
import { summaryLines } from './summary';
import { type CompiledModel, compileModel, outputsOf, type RewriteOptions, valueShapes } from './model-graph';

export type { InputOptions, ModelOptions } from './model-input';
export { input } from './model-input';

/** A graph of layers from its inputs to its outputs; see ck.model. */
const NONE: ReadonlySet<number> = new Set();

export class Model extends ModelBase {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Each application of a layer, after the nodes it reads. */
  readonly nodes: readonly SymbolicNode[];
  /** The layers (and models used as layers) in the order of their nodes. */
  readonly layers: readonly Applicable[];
  /** @internal The input shape save records (loadModel sets it from the file). */
  inputShape: Dim[] | null = null;
  private readonly manyInputs: boolean;
  private readonly manyOutputs: boolean;
  private readonly rewrites: RewriteOptions;
  private flatGraph: FlatGraph | null = null;
  /** The compiled graph, and the one with the activations training leaves out. */
  private readonly graphs: [CompiledModel | null, CompiledModel | null] = [null, null];

  constructor(opts: ModelOptions) {
    super();
    const o = options('model options', opts, false);
    knownKeys('model options', opts, ['inputs', 'outputs', 'name', 'rewrites']);
    this.inputs = Object.freeze(symbolicList('inputs', o.inputs));
    this.outputs = Object.freeze(symbolicList('outputs', o.outputs));
    const notInput = this.inputs.find((t) => t.node !== null);
    if (notInput) throw new TypeError(`Expected the model's inputs to come from ck.input but '${notInput.name}' is a layer's output`);
    this.manyInputs = Array.isArray(o.inputs);
    this.manyOutputs = Array.isArray(o.outputs);
    this.nodes = Object.freeze(nodesBetween(this.inputs, this.outputs));
    this.layers = Object.freeze(this.nodes.map((n) => n.layer));
    this.nameFrom(o);
    this.rewrites = checkRewrites(o.rewrites);
  }

  /** @internal The model as its primitive layers (nested models opened up). */
  flat(): FlatGraph {
    return (this.flatGraph ??= flattenModel(this));
  }

  /** The layer (or model used as a layer) of this name, searched in nested models too. */
  getLayer(name: string): Applicable {
    const found = this.layers.find((l) => l.name === name) ?? this.layers.map((l) => (isGraphModel(l) ? (l as Model).findLayer(name) : undefined)).find((l) => l);
    if (!found) throw new RangeError(`Expected the name of a layer of model '${this.name}' but received '${name}' (its layers: ${this.layers.map((l) => `'${l.name}'`).join(', ')})`);
    return found;
  }

  /** @internal getLayer, or undefined. */
  findLayer(name: string): Applicable | undefined {
    try {
      return this.getLayer(name);
    } catch {
      return undefined;
    }
  }

  /** @internal The output shapes (no batch axis) for inputs of these shapes: the model as a layer. */
  outputShapesFor(shapes: readonly (readonly Dim[])[]): Dim[][] {
    if (shapes.length !== this.inputs.length) throw new TypeError(`Model '${this.name}': expects ${this.inputs.length} input(s) but received ${shapes.length}`);
    const shape = new Map<SymbolicTensor, readonly Dim[]>(this.inputs.map((t, i) => [t, shapes[i]]));
    for (const node of this.nodes) {
      const outs = shapeRule(node.layer, node.inputs.map((x) => shape.get(x)!));
      node.outputs.forEach((t, i) => shape.set(t, outs[i]));
    }
    return this.outputs.map((t) => [...shape.get(t)!]);
  }

  /** The output shapes (batch first) for inputs of these shapes (batch first), each layer checking its own. */
  outputShape(inputShapes: readonly (readonly number[])[]): number[][] {
    const shapes = valueShapes(this.flat(), inputShapes);
    return this.flat().outputs.map((v) => shapes[v]);
  }

  /** Applied to symbolic tensors: the model as one layer of another (its outputs). Applied to Tensors: forward. */
  apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor | SymbolicTensor[];
  apply(x: Tensor | Tensor[]): Tensor | Tensor[];
  apply(x: SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[]): SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[] {
    if (x instanceof Tensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof Tensor))) return this.forward(x as Tensor | Tensor[]);
    const outs = applySymbolic(this, x, this.manyInputs);
    return this.manyOutputs ? outs : outs[0];
  }

  /** @internal x checked as the model's inputs (a Tensor, or one per input in order). */
  checkInputs(_name: string, x: unknown): Tensor[] {
    return checkModelInputs(this.inputs, this.manyInputs, this.name, x);
  }

  /** @internal forward gives an array when the model was made with an array of outputs. */
  protected override listsOutputs(): boolean {
    return this.manyOutputs;
  }

  /** @internal The outputs' names: the layers that make them. */
  outputNames(): string[] {
    return this.outputs.map((t) => t.node?.layer.name ?? t.name);
  }

  /** @internal forward with the activation of the entries in `linear` left out (training's logits). */
  forwardLinear(xs: Tensor[], linear: ReadonlySet<number>): Tensor[] {
    return this.run(xs, linear, true) as Tensor[];
  }

  /** @internal forwardLinear, off the event loop. */
  async forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]> {
    return this.run(xs, linear, false);
  }

  /** The model compiled for inputs of these shapes (batch first) on the backend in use, with the entries in `linear` linear. */
  private compileFor(shapes: readonly (readonly number[])[], linear: ReadonlySet<number> = NONE): CompiledModel {
    const slot = linear.size ? 1 : 0;
    return (this.graphs[slot] = compileModel(this.flat(), shapes, backend(), this.graphs[slot], linear, this.rewrites));
  }

  /** The graph run on checked inputs: on this thread (sync), or as one job off it (the inputs read at the call). */
  private run(xs: Tensor[], linear: ReadonlySet<number>, sync: true): Tensor[];
  private run(xs: Tensor[], linear: ReadonlySet<number>, sync: false): Promise<Tensor[]>;
  private run(xs: Tensor[], linear: ReadonlySet<number>, sync: boolean): Tensor[] | Promise<Tensor[]> {
    const c = this.compileFor(xs.map((x) => x.shape), linear), data = xs.map((t) => t.data), graph = c.graph;
    const results = (ran: Float32Array[], inputs: Float32Array[]) => outputsOf(c, ran, inputs).map((d, i) => new Tensor(d, c.shapes[this.flat().outputs[i]]));
    if (sync || !graph) return sync ? results(graph ? graph.run(data) : [], data) : Promise.resolve(results([], data));
    // Outputs that are inputs as they are (rare) are read at the call; otherwise nothing is copied here.
    const copies = c.sources.some((src) => 'input' in src) ? data.map((d) => d.slice()) : data;
    let ran: Float32Array[] = [];
    return runAsync({ shape: [0], async: async () => ((ran = await graph.runAsync(data)), new Float32Array(0)) }).then(() => results(ran, copies));
  }

  /** On this thread, as one backend call for the whole graph: a Tensor per output (one Tensor for a model of one output). */
  forward(x: Tensor | Tensor[]): Tensor | Tensor[] {
    const outs = this.run(this.checkInputs('x', x), NONE, true);
    return this.manyOutputs ? outs : outs[0];
  }

  /** The same result as forward, computed off the event loop as one job; the inputs are read at the call. */
  async forwardAsync(x: Tensor | Tensor[]): Promise<Tensor | Tensor[]> {
    const outs = await this.run(this.checkInputs('x', x), NONE, false);
    return this.manyOutputs ? outs : outs[0];
  }

  /**
   * forward in batches of batchSize (default 32) along the inputs' first axis, put together:
   * forward's values, to rounding (another batch size may take another micro-kernel).
   */
  predict(x: Tensor | Tensor[], options?: { batchSize?: number }): Tensor | Tensor[] {
    const batchSize = checkBatchSize('predict options', options);
    const xs = this.checkInputs('x', x), n = xs[0].shape[0];
    const parts: Tensor[][] = [];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const batch = xs.map((t) => { const w = t.size / n; return new Tensor(t.data.subarray(start * w, end * w), [end - start, ...t.shape.slice(1)]); });
      const out = this.forward(this.manyInputs ? batch : batch[0]);
      parts.push(Array.isArray(out) ? out : [out]);
    }
    const outs = parts[0].map((first, i) => {
      const w = first.size / first.shape[0], data = new Float32Array(n * w);
      let at = 0;
      for (const p of parts) (data.set(p[i].data, at), (at += p[i].size));
      return new Tensor(data, [n, ...first.shape.slice(1)]);
    });
    return this.manyOutputs ? outs : outs[0];
  }

  /** Prints the layers (name and class, output shape, parameters, inputs), the total and the planned arena, as Keras's summary. */
  summary(printFn: (line: string) => void = console.log): void {
    summaryLines(this).forEach((line) => printFn(line));
  }

  /** Every layer's weights by layer name (copies, getWeights' layouts); nested models' layers under their own names. */
  getWeights(): Record<string, Weights> {
    const out: Record<string, Weights> = {};
    for (const e of this.flat().entries) if (!(e.layer instanceof MultiInputLayer)) out[e.layer.name] = e.layer.getWeights();
    return out;
  }

  /** Sets the weights of the layers named in `weights` (each as that layer's setWeights takes them). */
  setWeights(weights: Record<string, Partial<Weights>>): void {
    const o = options('weights', weights, false);
    for (const name of Object.keys(o)) {
      const layer = this.getLayer(name);
      if (!('setWeights' in layer) || layer instanceof MultiInputLayer) throw new TypeError(`Expected a layer with weights for '${name}' but it is a ${layer.constructor.name}`);
      (layer as Layer).setWeights(o[name] as Partial<Weights>);
    }
  }

  /**
   * Writes the model in the TensorFlow.js layers format into a directory (Node): model.json (a
   * Keras functional topology and its weightsManifest) and group1-shard1of1.bin, which
   * `tf.loadLayersModel` and `loadModel` read. In browsers it rejects: use toArtifacts.
   */
  async save(path: string | URL): Promise<void> {
    return saving().saveModel(this, path);
  }

  /** The same model as save writes it, in memory: tfjs ModelArtifacts. */
  toArtifacts(): ModelArtifacts {
    return saving().modelArtifacts(this);
  }

  /** The graph planned for inputs of these shapes (batch first): bytes of the arena that holds every intermediate value, and backend nodes. */
  planned(inputShapes: readonly (readonly number[])[]): { arenaBytes: number; nodes: number } {
    const { arenaBytes, nodes } = this.compileFor(inputShapes);
    return { arenaBytes, nodes };
  }
}

/** A functional model from its inputs to its outputs (Keras's Model(inputs, outputs)). */
export function model(opts: ModelOptions): Model {
  return new Model(opts);
}
