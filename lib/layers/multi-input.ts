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

/** One node of the chain: its step (for an input of this shape) and its output shape. */
export interface ChainStep {
  step: Step;
  shape: number[];
}

/** Gradients of a layer of several inputs: one per input, shaped like it. */
export interface MultiInputGradients {
  dx: Tensor[];
}

/** The chain compiled for one backend and set of input shapes. */
interface Compiled {
  backend: Backend;
  epoch: number;
  key: string;
  chain: ChainStep[];
  operators: Operator[];
  /** Outputs: the last node's value only, and every node's (the backward's intermediates). */
  graph: Graph;
  all: Graph | null;
}

export abstract class MultiInputLayer {
  /** Name in error messages. */
  protected abstract readonly layerName: string;

  /** The node that merges a value of shape a with an input of shape b (the last when `last`, of `count` inputs). */
  protected abstract node(a: readonly number[], b: readonly number[], last: boolean, count: number): ChainStep;

  /** A node's gradients with respect to its two inputs (a and x, its values in the forward), as one backend call. */
  protected abstract nodeGrads(b: Backend, step: Step, a: Float32Array, x: Float32Array, dy: Float32Array, sync: boolean): MergeGrads | Promise<MergeGrads>;

  /** No weights: nulls, as the single-input layers without weights give. */
  getWeights(): { kernel: null; bias: null } {
    return { kernel: null, bias: null };
  }

  private compiled: Compiled | null = null;

  /** The output shape for inputs of these shapes (checked as forward checks them). */
  outputShape(shapes: readonly (readonly number[])[]): number[] {
    if (!Array.isArray(shapes) || shapes.length < 2) throw new TypeError(`Expected an array of at least 2 input shapes for ${this.layerName} but received ${describe(shapes)}`);
    return this.chainOf(shapes).at(-1)!.shape;
  }

  private chainOf(shapes: readonly (readonly number[])[]): ChainStep[] {
    const chain: ChainStep[] = [];
    let value: readonly number[] = shapes[0];
    for (let k = 1; k < shapes.length; k++) {
      const next = this.node(value, shapes[k], k === shapes.length - 1, shapes.length);
      chain.push(next);
      value = next.shape;
    }
    return chain;
  }

  /** Checks xs: an array of at least two Tensors whose data fit their shapes. */
  private checkInputs(xs: unknown): Tensor[] {
    if (!Array.isArray(xs) || xs.length < 2) throw new TypeError(`Expected an array of at least 2 Tensors for ${this.layerName} inputs but received ${describe(xs)}`);
    return xs.map((x, i) => checkInput(`${this.layerName} input ${i}`, x, 1, true));
  }

  /** The graph for these inputs on b: kept while the backend and the input shapes stay the same. */
  private compile(xs: readonly Tensor[], b: Backend): Compiled {
    const key = xs.map((x) => x.shape.join('x')).join(',');
    const kept = this.compiled;
    if (kept && kept.backend === b && kept.epoch === b.epoch && kept.key === key) return kept;
    const chain = this.chainOf(xs.map((x) => x.shape));
    this.release();
    const operators = chain.map((c) => b.createOperator(c.step));
    const n = xs.length;
    // Values: the n inputs, then node k (reading the chain so far, value 0 for the first, and input k + 1).
    const nodes = operators.map((operator, k) => ({ operator, inputs: [k === 0 ? 0 : n + k - 1, k + 1] }));
    const graph = b.createGraph(n, nodes, [n + chain.length - 1]);
    graph.reshape(chain.map((c) => c.step.params));
    let all: Graph | null = null;
    if (chain.length > 1) {
      all = b.createGraph(n, nodes, chain.map((_, k) => n + k));
      all.reshape(chain.map((c) => c.step.params));
    }
    this.compiled = { backend: b, epoch: b.epoch, key, chain, operators, graph, all };
    return this.compiled;
  }

  /** Drops the operators kept for the last input shapes (they are also freed when collected). */
  release(): void {
    this.compiled?.operators.forEach((op) => op.release());
    this.compiled = null;
  }

  /** The inputs merged, on this thread: one backend call. */
  forward(xs: Tensor[]): Tensor {
    const inputs = this.checkInputs(xs), c = this.compile(inputs, backend());
    return tensorOf(c.graph.run(inputs.map((x) => x.data))[0], c.chain.at(-1)!.shape);
  }

  /** Same result as forward, computed off the event loop in one job; the inputs are read at the call. */
  async forwardAsync(xs: Tensor[]): Promise<Tensor> {
    const inputs = this.checkInputs(xs), c = this.compile(inputs, backend());
    const data = inputs.map((x) => x.data), graph = c.graph;
    return runAsync({ shape: c.chain.at(-1)!.shape, async: async () => (await graph.runAsync(data))[0] });
  }

  private checkBackward(input: unknown, grad: unknown): { xs: Tensor[]; dy: Tensor; c: Compiled; b: Backend } {
    const xs = this.checkInputs(input), b = backend(), c = this.compile(xs, b);
    const shape = c.chain.at(-1)!.shape;
    if (!isTensor('dy', grad)) throw new TypeError(`Expected Tensor for dy but received ${describe(grad)}`);
    const dy = checkData(grad, 'dy');
    if (dy.shape.join() !== shape.join()) {
      throw new RangeError(`Expected dy of shape [${shape.join(', ')}] (the ${this.layerName} output) but received shape [${dy.shape.join(', ')}]`);
    }
    return { xs, dy, c, b };
  }

  /** The gradient with respect to each input, given dy with respect to the output. */
  backward(xs: Tensor[], dy: Tensor): MultiInputGradients {
    const g = this.checkBackward(xs, dy);
    const values = [g.xs[0].data, ...(g.c.all ? g.c.all.run(g.xs.map((x) => x.data)).slice(0, -1) : [])];
    const dx: Float32Array[] = [];
    let d: Float32Array = g.dy.data;
    for (let k = g.c.chain.length - 1; k >= 0; k--) {
      const { da, db } = this.nodeGrads(g.b, g.c.chain[k].step, values[k], g.xs[k + 1].data, d, true) as MergeGrads;
      dx[k + 1] = db;
      d = da;
    }
    dx[0] = d;
    return { dx: dx.map((data, i) => tensorOf(data, g.xs[i].shape)) };
  }

  /** Same result as backward, computed off the event loop; the inputs and dy are copied at the call. */
  async backwardAsync(xs: Tensor[], dy: Tensor): Promise<MultiInputGradients> {
    const g = this.checkBackward(xs, dy);
    const inputs = g.xs.map((x) => x.data.slice()), shapes = g.xs.map((x) => x.shape);
    const chain = g.c.chain, all = g.c.all;
    let d: Float32Array = g.dy.data.slice();
    const values = [inputs[0], ...(all ? (await all.runAsync(inputs)).slice(0, -1) : [])];
    const dx: Float32Array[] = [];
    for (let k = chain.length - 1; k >= 0; k--) {
      const { da, db } = await this.nodeGrads(g.b, chain[k].step, values[k], inputs[k + 1], d, false);
      dx[k + 1] = db;
      d = da;
    }
    dx[0] = d;
    return { dx: dx.map((data, i) => tensorOf(data, shapes[i])) };
  }
}
