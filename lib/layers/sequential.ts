import { backend } from '../backends/select';
import { describe } from '../validate';
import type { Backend, Graph } from '../backends/backend';
import { checkData, isTensor, Tensor, tensorOf } from '../tensor';
import { type Bound, Layer, runAsync } from './layer';
import { saving } from './model-services';
import { predict } from './predict';
import { ModelBase } from './model-base';
import type { FlatGraph } from './flat-types';
import { applySymbolic, type SymbolicTensor } from './symbolic';
import type { LayerGradients } from './trainable-model';
// Types only: training and the model format load on first use (model-services.ts).
import type { BatchOptions } from '../train/options';
import type { ModelArtifacts } from '../model/artifacts';
import type { SaveOptions } from '../model/save';

export type { LayerGradients } from './trainable-model';

export interface SequentialGradients {
  /** Gradient of the loss with respect to the model's input, shaped like it. */
  dx: Tensor;
  /** One entry per layer, in layer order: `{ kernel, bias }`, `{ kernel }` or `{}`. */
  grads: LayerGradients[];
}

/** A Sequential's forward for one input shape: each layer's binding, the graph of their operators. */
interface CompiledGraph {
  bound: Bound[];
  /** null when no layer has an operator (Flatten alone). */
  graph: Graph | null;
  output: readonly number[];
}

// A TrainableModel (trainable-model.ts) and a SavableModel (model/save.ts) by its shape: an
// `implements` clause would name members that the published declarations leave out (internal).
/** Layers applied in order. */
export class Sequential extends ModelBase {
  readonly layers: readonly Layer[];
  /**
   * @internal The input shape without the batch dimension (null: any height or width) that the
   * model was loaded with (loadModel) or last trained on (fit): what save records unless told
   * otherwise. null when neither.
   */
  inputShape: (number | null)[] | null = null;
  /** The forward graphs, with and without the last activation (as Layer.bind keeps operators). */
  private readonly graphs: [CompiledGraph | null, CompiledGraph | null] = [null, null];

  constructor(layers: Layer[], options?: { name?: string }) {
    super();
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new TypeError(`Expected non-empty array of layers for Sequential but received ${describe(layers)}`);
    }
    layers.forEach((l, i) => {
      if (l instanceof ModelBase) throw new TypeError(`Expected layer for layers[${i}] but received a model: to use a model as a layer, build with ck.input, apply and ck.model`);
      if (!(l instanceof Layer)) throw new TypeError(`Expected layer for layers[${i}] but received ${describe(l)}`);
    });
    this.layers = Object.freeze([...layers]);
    this.nameFrom(options);
  }

  /** Applied to a symbolic tensor: the model as one layer of a functional model (its output). Applied to a Tensor: forward. */
  apply(x: SymbolicTensor): SymbolicTensor;
  apply(x: Tensor): Tensor;
  apply(x: SymbolicTensor | Tensor): SymbolicTensor | Tensor {
    return x instanceof Tensor ? this.forward(x) : applySymbolic(this, x, false)[0];
  }

  /** @internal The chain as a graph of layers (training). */
  flat(): FlatGraph {
    return { inputs: 1, entries: this.layers.map((layer, i) => ({ layer, inputs: [i], output: i + 1 })), outputs: [this.layers.length], values: this.layers.length + 1 };
  }

  /** @internal The output's name: the last layer's. */
  outputNames(): string[] {
    return [this.layers[this.layers.length - 1].name];
  }

  /** @internal x checked as the first layer's input. */
  checkInputs(name: string, x: unknown): Tensor[] {
    if (!isTensor(name, x)) throw new TypeError(`Expected Tensor for ${name} but received ${describe(x)}`);
    return [this.layers[0].checkInput(x)];
  }

  /** @internal forward with the last layer's activation left out when `linear` holds it (training). */
  forwardLinear(xs: Tensor[], linear: ReadonlySet<number>): Tensor[] {
    return [this.forwardAs(xs[0], linear.has(this.layers.length - 1))];
  }

  /** @internal forwardLinear, off the event loop. */
  async forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]> {
    return [await this.forwardAsyncAs(xs[0], linear.has(this.layers.length - 1))];
  }

  /** @internal fit records the input shape it trained on: what save writes unless told otherwise. */
  protected override fitted(x: Tensor[]): void {
    this.inputShape = x[0].shape.slice(1);
  }

  /**
   * forward in batches of batchSize (default 32), put together: forward(x)'s values, to rounding
   * (a batch of another size may take another micro-kernel, which sums in another order).
   */
  predict(x: Tensor, options?: BatchOptions): Tensor {
    return predict(this, x, options);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return this.layers.reduce((shape, l) => l.outputShape(shape), [...inputShape]);
  }

  /** On this thread, as one backend call for the whole chain (its compiled graph). */
  forward(x: Tensor): Tensor {
    return this.forwardAs(x, false);
  }

  /**
   * @internal forward, with the last layer's activation left out when `linearLast`: the logits
   * a fused softmax and cross-entropy start from (training: lib/train).
   */
  forwardAs(x: Tensor, linearLast: boolean): Tensor {
    const { input, compiled } = this.graphFor(x, backend(), linearLast);
    if (!compiled.graph) return tensorOf(input.data.slice(), compiled.output); // Flatten alone: a reshape
    return tensorOf(compiled.graph.run([input.data])[0], compiled.output);
  }

  /**
   * The same result as forward, computed off the event loop in one trip for the whole chain:
   * the graph runs every layer one after another without coming back to JavaScript in between.
   * The call reads x, the weights and the biases as they are now (see the in-flight rule in
   * backend.ts).
   */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    return this.forwardAsyncAs(x, false);
  }

  /** @internal forwardAsync, with the last layer's activation left out when `linearLast`. */
  async forwardAsyncAs(x: Tensor, linearLast: boolean): Promise<Tensor> {
    const { input, compiled } = this.graphFor(x, backend(), linearLast);
    const graph = compiled.graph;
    if (!graph) return tensorOf(input.data.slice(), compiled.output); // Flatten alone: a reshape
    const data = input.data;
    return runAsync({ shape: compiled.output, async: async () => (await graph.runAsync([data]))[0] });
  }

  /**
   * Gradients of the loss given x and dy, the gradient of the loss with respect to the model's
   * output: a forward layer by layer keeping each layer's input, then each layer's backward in
   * reverse order, each one's dx the dy of the layer before. The same bits as chaining the
   * layers' own forward and backward by hand.
   */
  backward(x: Tensor, dy: Tensor): SequentialGradients {
    const g = this.checkBackward(x, dy);
    const inputs = [g.x];
    for (const l of this.layers.slice(0, -1)) inputs.push(l.forward(inputs[inputs.length - 1]));
    const grads: LayerGradients[] = new Array(this.layers.length);
    let d = g.dy;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { dx, ...weights } = this.layers[i].backward(inputs[i], d);
      grads[i] = weights;
      d = dx;
    }
    return { dx: d, grads };
  }

  /**
   * Same result as backward, every forward and GEMM computed off the event loop. x and dy are
   * read at the call; each layer's weights when its own forward or backward starts, so they must
   * not change until the Promise settles.
   */
  async backwardAsync(x: Tensor, dy: Tensor): Promise<SequentialGradients> {
    const g = this.checkBackward(x, dy);
    const inputs = [new Tensor(g.x.data.slice(), g.x.shape)];
    const grad = new Tensor(g.dy.data.slice(), g.dy.shape);
    for (const l of this.layers.slice(0, -1)) inputs.push(await l.forwardAsync(inputs[inputs.length - 1]));
    const grads: LayerGradients[] = new Array(this.layers.length);
    let d = grad;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { dx, ...weights } = await this.layers[i].backwardAsync(inputs[i], d);
      grads[i] = weights;
      d = dx;
    }
    return { dx: d, grads };
  }

  /** x checked as the first layer's input, dy a Tensor of the model's output shape for x. */
  private checkBackward(input: unknown, grad: unknown): { x: Tensor; dy: Tensor } {
    const x = this.layers[0].checkInput(input);
    const shape = this.outputShape(x.shape);
    if (!isTensor('dy', grad)) throw new TypeError(`Expected Tensor for dy but received ${describe(grad)}`);
    const dy = checkData(grad, 'dy');
    if (dy.shape.join() !== shape.join()) {
      throw new RangeError(
        `Expected dy of shape [${shape.join(', ')}] (the Sequential output for input [${x.shape.join(', ')}]) but received shape [${dy.shape.join(', ')}]`,
      );
    }
    return { x, dy };
  }

  /**
   * Writes the model in the TensorFlow.js layers format into a directory (Node; created if
   * missing): model.json (a Keras Sequential topology and its weightsManifest) and
   * group1-shard1of1.bin (the weights, float32 little-endian), which `tf.loadLayersModel`,
   * tensorflowjs_converter and `loadModel` read. In browsers it rejects: use toArtifacts.
   */
  async save(path: string | URL, options?: SaveOptions): Promise<void> {
    return saving().saveModel(this, path, options);
  }

  /**
   * The same model as save writes it, in memory: tfjs ModelArtifacts (`modelTopology`,
   * `weightSpecs`, `weightData`, ...), which `tf.io.fromMemory` and `loadModel` take. No file system.
   */
  toArtifacts(options?: SaveOptions): ModelArtifacts {
    return saving().modelArtifacts(this, options);
  }

  /**
   * The chain as a graph for x's shape on b (each layer checked and planned from the shapes
   * alone): kept while the backend, the input shape and every layer's binding stay the same.
   */
  private graphFor(x: Tensor, b: Backend, linearLast: boolean): { input: Tensor; compiled: CompiledGraph } {
    const input = this.layers[0].checkInput(x);
    const slot = linearLast ? 1 : 0;
    const bound: Bound[] = [];
    let shape: readonly number[] = input.shape;
    const last = this.layers.length - 1;
    for (let i = 0; i <= last; i++) {
      const l = this.layers[i], next = i < last ? this.layers[i + 1] : null;
      // A BatchNormalization right after a linear Conv2D or Dense runs inside its weights.
      const fold = next && l.foldsChannelAffine() ? next.channelAffine(l.outputShape(shape), linearLast && i + 1 === last) : null;
      const one = l.bind(shape, b, linearLast && i === last, fold);
      bound.push(one);
      shape = one.output;
      if (fold) i++;
    }
    const kept = this.graphs[slot];
    if (kept && kept.bound.length === bound.length && kept.bound.every((one, i) => one === bound[i])) return { input, compiled: kept };
    const nodes = bound.filter((one) => one.operator !== null);
    const graph = nodes.length ? b.createGraph(1, nodes.map((one, i) => ({ operator: one.operator!, inputs: [i] })), [nodes.length]) : null;
    graph?.reshape(nodes.map((one) => one.step!.params));
    const compiled: CompiledGraph = { bound, graph, output: shape };
    this.graphs[slot] = compiled;
    return { input, compiled };
  }
}
