// Functional models (Keras's Functional, tfjs-layers' LayersModel): layers joined by the symbolic
// tensors that ck.input and apply make, with branches, merges, several inputs and outputs, and
// models used as layers. Run as one backend graph (model-graph.ts): forward is one backend call,
// forwardAsync one job off the event loop.
import { backend } from '../backends/select';
import type { Layer } from '../layers/layer';
import { runAsync } from '../layers/layer';
import { saving } from '../layers/model-services';
import type { ModelArtifacts } from '../model/artifacts';
import { Named, NamedObject } from '../layers/layer-name';
import { MultiInputLayer } from '../layers/multi-input';
import { Sequential } from '../layers/sequential';
import { type Applicable, applySymbolic, type Dim, type SymbolicNode, SymbolicTensor } from '../layers/symbolic';
import { checkData, isTensor, Tensor } from '../tensor';
import { boolean, describe, knownKeys, options } from '../validate';
import { type FlatGraph, flattenModel, isGraphModel, nodesBetween } from './flat-graph';
import { mergeShape, nextShape, showShape } from './layer-shapes';
import { summaryLines } from './summary';
import { checkBatchSize } from '../layers/predict';
import type { Weights } from '../layers/layer';
import { type CompiledModel, compileModel, outputsOf, type RewriteOptions, valueShapes } from './model-graph';

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
function shapeRule(layer: Applicable, shapes: readonly (readonly Dim[])[]): Dim[][] {
  const label = `Layer '${layer.name}'`;
  if (layer instanceof MultiInputLayer) {
    if (shapes.length < 2) throw new TypeError(`${label}: expects a list of at least 2 inputs but received ${shapes.length}`);
    return [mergeShape(layer, shapes, label)];
  }
  if (shapes.length !== 1) throw new TypeError(`${label}: expects 1 input but received ${shapes.length}`);
  if (layer instanceof Sequential) return [layer.layers.reduce((s, l, i) => nextShape(l, s, `${label} (its layer ${i}, '${l.name}')`), [...shapes[0]])];
  if (isGraphModel(layer)) return (layer as Model).outputShapesFor(shapes);
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

function checkRewrites(v: unknown): RewriteOptions {
  const o = options('rewrites', v, true);
  if (v !== undefined) knownKeys('rewrites', v as object, ['foldBatchNorm']);
  return { foldBatchNorm: boolean('foldBatchNorm', o.foldBatchNorm ?? true) };
}

function symbolicList(what: string, v: unknown): SymbolicTensor[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((t) => t instanceof SymbolicTensor)) {
    throw new TypeError(`Expected SymbolicTensor or non-empty array of them for ${what} but received ${describe(v)}`);
  }
  return list;
}

/** A graph of layers from its inputs to its outputs; see ck.model. */
export class Model extends NamedObject {
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
  private compiled: CompiledModel | null = null;

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

  /** The inputs checked against the model's (a Tensor, or one per input in order), and the model compiled for their shapes. */
  private prepare(input: unknown): { xs: Tensor[]; c: CompiledModel } {
    const given = this.manyInputs ? input : [input];
    if (!Array.isArray(given) || given.length !== this.inputs.length) {
      throw new TypeError(`Expected ${this.manyInputs ? `an array of ${this.inputs.length} Tensors` : 'Tensor'} for model '${this.name}' input but received ${describe(input)}`);
    }
    const xs = given.map((x, i) => {
      const t = this.inputs[i];
      if (!isTensor(`input '${t.name}'`, x)) throw new TypeError(`Expected Tensor for input '${t.name}' but received ${describe(x)}`);
      const fits = x.shape.length === t.shape.length + 1 && t.shape.every((d, k) => d === null || d === x.shape[k + 1]);
      if (!fits) throw new RangeError(`Expected input '${t.name}' of shape ${showShape(t.shape)} but received shape [${x.shape.join(', ')}]`);
      if (x.shape[0] !== (given[0] as Tensor).shape[0]) throw new RangeError(`Expected every input with the batch size of the first (${(given[0] as Tensor).shape[0]}) but input '${t.name}' has ${x.shape[0]}`);
      return checkData(x, `input '${t.name}'`);
    });
    return { xs, c: this.compileFor(xs.map((x) => x.shape)) };
  }

  /** The model compiled for inputs of these shapes (batch first) on the backend in use. */
  private compileFor(shapes: readonly (readonly number[])[]): CompiledModel {
    return (this.compiled = compileModel(this.flat(), shapes, backend(), this.compiled, undefined, this.rewrites));
  }

  private results(c: CompiledModel, data: Float32Array[]): Tensor | Tensor[] {
    const outs = data.map((d, i) => new Tensor(d, c.shapes[this.flat().outputs[i]]));
    return this.manyOutputs ? outs : outs[0];
  }

  /** On this thread, as one backend call for the whole graph: a Tensor per output (one Tensor for a model of one output). */
  forward(x: Tensor | Tensor[]): Tensor | Tensor[] {
    const { xs, c } = this.prepare(x);
    const data = xs.map((t) => t.data);
    return this.results(c, outputsOf(c, c.graph ? c.graph.run(data) : [], data));
  }

  /** The same result as forward, computed off the event loop as one job; the inputs are read at the call. */
  async forwardAsync(x: Tensor | Tensor[]): Promise<Tensor | Tensor[]> {
    const { xs, c } = this.prepare(x);
    const data = xs.map((t) => t.data), graph = c.graph;
    if (!graph) return this.results(c, outputsOf(c, [], data));
    const copies = data.map((d) => d.slice()); // for outputs that are inputs as they are
    let ran: Float32Array[] = [];
    await runAsync({ shape: [0], async: async () => ((ran = await graph.runAsync(data)), new Float32Array(0)) });
    return this.results(c, outputsOf(c, ran, copies));
  }

  /**
   * forward in batches of batchSize (default 32) along the inputs' first axis, put together:
   * forward's values, to rounding (another batch size may take another micro-kernel).
   */
  predict(x: Tensor | Tensor[], options?: { batchSize?: number }): Tensor | Tensor[] {
    const batchSize = checkBatchSize('predict options', options);
    const { xs } = this.prepare(x), n = xs[0].shape[0];
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

  /** @internal Bytes of the arena that holds every intermediate value for inputs of these shapes (batch first), as planned. */
  plannedArenaBytes(inputShapes: readonly (readonly number[])[]): number {
    return this.compileFor(inputShapes).arenaBytes;
  }
}

/** A functional model from its inputs to its outputs (Keras's Model(inputs, outputs)). */
export function model(opts: ModelOptions): Model {
  return new Model(opts);
}
