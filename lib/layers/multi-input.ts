// A layer of several inputs (the merge layers): forward([a, b, ...]) folds them left through a
// chain of two-input ops ((a op b) op c ...), compiled as one graph per backend and input shapes,
// so a forward is one backend call and forwardAsync one job. backward runs the chain's backward
// node by node, last first: each node's gradient with respect to its first input is the dy of
// the node before it.
import type { Backend, Graph, MergeGrads, Operator, Step } from '../backends/backend';
import { backend } from '../backends/select';
import { checkData, checkInput, isTensor, Tensor, tensorOf } from '../tensor';
import { describe } from '../validate';
import { runAsync } from './layer';
import { NamedObject } from './layer-name';
import { applySymbolic, type SymbolicTensor } from './symbolic';

/** One node of the chain: its step (for an input of this shape) and its output shape. */
export interface ChainStep {
  step: Step;
  shape: number[];
}

/** Gradients of a layer of several inputs: one per input, shaped like it. */
export interface MultiInputGradients {
  dx: Tensor[];
}

/** The chain compiled for one backend and set of input shapes: a graph whose outputs are every node's value. */
interface Compiled {
  backend: Backend;
  epoch: number;
  key: string;
  chain: ChainStep[];
  operators: Operator[];
  graph: Graph;
}

type Maybe<T> = T | Promise<T>;
/** f of v, now or once v settles: one code path for the sync and async calls. */
const then = <T, U>(v: Maybe<T>, f: (t: T) => Maybe<U>): Maybe<U> => (v instanceof Promise ? v.then(f) : f(v));

export abstract class MultiInputLayer extends NamedObject {
  /** Name in error messages. */
  protected abstract readonly layerName: string;

  /** The node that merges a value of shape a with an input of shape b (the last when `last`, of `count` inputs). */
  protected abstract node(a: readonly number[], b: readonly number[], last: boolean, count: number): ChainStep;

  /** A node's gradients with respect to its two inputs (a and x, its values in the forward), as one backend call. */
  protected abstract nodeGrads(b: Backend, step: Step, a: Float32Array, x: Float32Array, dy: Float32Array, sync: boolean): Maybe<MergeGrads>;

  private compiled: Compiled | null = null;
  /** Applied to symbolic tensors (functional models): the symbolic output. Applied to Tensors: forward. */
  apply(xs: SymbolicTensor[]): SymbolicTensor;
  apply(xs: Tensor[]): Tensor;
  apply(xs: SymbolicTensor[] | Tensor[]): SymbolicTensor | Tensor {
    return Array.isArray(xs) && xs.every((x) => x instanceof Tensor) ? this.forward(xs as Tensor[]) : applySymbolic(this, xs, true)[0];
  }

  /** @internal The two-input steps that merge inputs of these shapes, with their output shapes (checked). */
  chainSteps(shapes: readonly (readonly number[])[]): ChainStep[] {
    return this.chainOf(this.list(shapes, 'input shapes'));
  }

  /** No weights: nulls, as the single-input layers without weights give. */
  getWeights(): { kernel: null; bias: null } {
    return { kernel: null, bias: null };
  }

  /** The output shape for inputs of these shapes (checked as forward checks them). */
  outputShape(shapes: readonly (readonly number[])[]): number[] {
    return this.chainOf(this.list(shapes, 'input shapes')).at(-1)!.shape;
  }

  /** v as an array of at least two (input shapes or Tensors), else a TypeError. */
  private list<T>(v: unknown, what: string): T[] {
    if (!Array.isArray(v) || v.length < 2) throw new TypeError(`Expected an array of at least 2 ${what} for ${this.layerName} but received ${describe(v)}`);
    return v;
  }

  private chainOf(shapes: readonly (readonly number[])[]): ChainStep[] {
    const chain: ChainStep[] = [];
    for (let k = 1; k < shapes.length; k++) chain.push(this.node(k > 1 ? chain[k - 2].shape : shapes[0], shapes[k], k === shapes.length - 1, shapes.length));
    return chain;
  }

  /** xs checked (an array of at least two Tensors whose data fit their shapes), and the graph for them on the backend in use. */
  private prepare(input: unknown): { xs: Tensor[]; c: Compiled } {
    const xs = this.list(input, 'Tensors').map((x, i) => checkInput(`${this.layerName} input ${i}`, x, 1, true)), b = backend();
    const key = xs.map((x) => x.shape.join('x')).join();
    const kept = this.compiled;
    if (kept && kept.backend === b && kept.epoch === b.epoch && kept.key === key) return { xs, c: kept };
    const chain = this.chainOf(xs.map((x) => x.shape)), n = xs.length;
    this.release();
    const operators = chain.map((c) => b.createOperator(c.step));
    // Values: the n inputs, then node k (reading the chain so far, value 0 for the first, and input k + 1).
    const graph = b.createGraph(n, operators.map((operator, k) => ({ operator, inputs: [k ? n + k - 1 : 0, k + 1] })), chain.map((_, k) => n + k));
    graph.reshape(chain.map((c) => c.step.params));
    this.compiled = { backend: b, epoch: b.epoch, key, chain, operators, graph };
    return { xs, c: this.compiled };
  }

  /** Drops the operators kept for the last input shapes (they are also freed when collected). */
  release(): void {
    this.compiled?.operators.forEach((op) => op.release());
    this.compiled = null;
  }

  /** The inputs merged, on this thread: one backend call. */
  forward(xs: Tensor[]): Tensor {
    const { xs: inputs, c } = this.prepare(xs);
    return tensorOf(c.graph.run(inputs.map((x) => x.data)).at(-1)!, c.chain.at(-1)!.shape);
  }

  /** Same result as forward, computed off the event loop in one job; the inputs are read at the call. */
  async forwardAsync(xs: Tensor[]): Promise<Tensor> {
    const { xs: inputs, c } = this.prepare(xs), graph = c.graph, data = inputs.map((x) => x.data);
    return runAsync({ shape: c.chain.at(-1)!.shape, async: async () => (await graph.runAsync(data)).at(-1)! });
  }

  /** The gradient with respect to each input, given dy with respect to the output. */
  backward(xs: Tensor[], dy: Tensor): MultiInputGradients {
    return this.grads(xs, dy, true) as MultiInputGradients;
  }

  /** Same result as backward, computed off the event loop; the inputs and dy are copied at the call. */
  async backwardAsync(xs: Tensor[], dy: Tensor): Promise<MultiInputGradients> {
    return this.grads(xs, dy, false);
  }

  private grads(input: unknown, grad: unknown, sync: boolean): Maybe<MultiInputGradients> {
    const { xs, c } = this.prepare(input), shape = c.chain.at(-1)!.shape, b = c.backend;
    if (!isTensor('dy', grad)) throw new TypeError(`Expected Tensor for dy but received ${describe(grad)}`);
    const dy = checkData(grad, 'dy');
    if (dy.shape.join() !== shape.join()) {
      throw new RangeError(`Expected dy of shape [${shape.join(', ')}] (the ${this.layerName} output) but received shape [${dy.shape.join(', ')}]`);
    }
    const copy = (a: Float32Array) => (sync ? a : a.slice());
    const data = xs.map((x) => copy(x.data)), last = c.chain.length - 1;
    // The value each node read first: the first input, then the chain's intermediates (run again for more than two inputs).
    const values = last ? then(sync ? c.graph.run(data) : c.graph.runAsync(data), (v) => [data[0], ...v]) : [data[0]];
    // Node k's gradients, then the nodes before it with its da as their dy: [dx0, dx1, ...].
    const back = (v: Float32Array[], k: number, d: Float32Array): Maybe<Float32Array[]> =>
      k < 0 ? [d] : then(this.nodeGrads(b, c.chain[k].step, v[k], data[k + 1], d, sync), (g) => then(back(v, k - 1, g.da), (dx) => [...dx, g.db]));
    return then(values, (v) => then(back(v, last, copy(dy.data)), (dx) => ({ dx: dx.map((d, i) => tensorOf(d, xs[i].shape)) })));
  }
}
