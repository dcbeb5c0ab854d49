// A step made of steps run one after the other (SeparableConv2D: depthwise, then pointwise), on
// any backend: its operator runs them as a graph of its own (one backend call, the intermediate
// in the graph's arena), and a graph that holds it as a node holds its parts as nodes instead, so
// a Sequential still compiles one graph.
import type { Backend, Graph, GraphNode, GraphShape, OpInputs, Operator, Plan, Step } from './backend';

/** The steps a chain step runs, in order; null for any other step. */
export function chainParts(step: Step): Step[] | null {
  return step.op === 'separable2d' ? [step.depthwise, step.pointwise] : null;
}

/** The params of a chain step's parts, in order. */
function partParams(step: Step, params: Step['params']): Step['params'][] {
  const p = params as { depthwise: Step['params']; pointwise: Step['params'] };
  if (step.op === 'separable2d') return [p.depthwise, p.pointwise];
  return [params];
}

/** The operator of a chain step: its parts' operators, run as one graph. */
export class ChainOperator implements Operator {
  readonly parts: Operator[];
  private readonly graph: Graph;
  private shaped: Step['params'][] | null = null;
  private reshaped = false;

  constructor(b: Backend, readonly step: Step, steps: Step[]) {
    this.parts = steps.map((s) => b.createOperator(s));
    this.graph = b.createGraph(1, this.parts.map((operator, i) => ({ operator, inputs: [i] })), [this.parts.length]);
  }

  /** Each part's params in order (a graph holding this operator as a node reshapes the parts). */
  params(params: Step['params']): Step['params'][] {
    return partParams(this.step, params);
  }

  reshape(params: Step['params']): number {
    this.shaped = this.params(params);
    this.reshaped = false;
    return this.graph.reshape(this.shaped).outputs[0];
  }

  run(x: OpInputs, out?: Float32Array): Float32Array {
    const y = this.graph.run([x as Float32Array])[0];
    if (!out) return y;
    if (out.length !== y.length) throw new RangeError(`Expected out of ${y.length} floats but received ${out.length}`);
    out.set(y);
    return out;
  }

  async runAsync(x: OpInputs): Promise<Float32Array> {
    return (await this.graph.runAsync([x as Float32Array]))[0];
  }

  /** The last part's plan (the pointwise GEMM of a separable convolution). */
  explain(): Plan {
    if (!this.shaped) throw new Error('Expected reshape before explain');
    if (!this.reshaped) this.parts.forEach((p, i) => p.reshape(this.shaped![i]));
    this.reshaped = true;
    return this.parts[this.parts.length - 1].explain();
  }

  release(): void {
    for (const p of this.parts) p.release();
  }
}

/**
 * A graph whose chain operators are spelled out as their parts' nodes (values renumbered): make
 * builds the backend's graph of the expanded nodes; reshape expands each chain node's params.
 */
export function expandChains(inputs: number, nodes: readonly GraphNode[], outputs: readonly number[],
  make: (inputs: number, nodes: readonly GraphNode[], outputs: readonly number[]) => Graph): Graph {
  if (!nodes.some((n) => n.operator instanceof ChainOperator)) return make(inputs, nodes, outputs);
  const value: number[] = Array.from({ length: inputs }, (_, i) => i), expanded: GraphNode[] = [];
  for (const n of nodes) {
    const reads = n.inputs.map((v) => value[v] ?? v);
    if (n.operator instanceof ChainOperator) {
      n.operator.parts.forEach((operator, j) => expanded.push({ operator, inputs: j ? [inputs + expanded.length - 1] : reads }));
    } else {
      expanded.push({ operator: n.operator, inputs: reads });
    }
    value.push(inputs + expanded.length - 1);
  }
  const graph = make(inputs, expanded, outputs.map((v) => value[v] ?? v));
  return {
    reshape: (params): GraphShape => {
      if (params.length !== nodes.length) throw new TypeError(`Expected params for each of the ${nodes.length} nodes`);
      return graph.reshape(nodes.flatMap((n, i) => (n.operator instanceof ChainOperator ? n.operator.params(params[i]) : [params[i]])));
    },
    run: (xs) => graph.run(xs),
    runAsync: (xs) => graph.runAsync(xs),
  };
}
