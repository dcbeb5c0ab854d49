// The wasm backend's operators and graphs. An operator keeps its bias and, per input shape, its
// planned job (wasm-ops.ts); a run only places its arrays and runs the job. A graph's schedule
// places every intermediate value by liveness in one block of the module's memory, and a run
// copies the inputs in once and the outputs out once.
import type { ActivationOpParams, BatchNormParams, ConcatParams, Conv2DParams, DenseParams, Depthwise2DParams, Graph, GraphNode, GraphShape, MergeParams, OpInputs, Operator, Pad2DParams, Step, WindowParams } from './backend';
import { type Conv2DTransposeParams, inputList, type PermuteParams, type PReluParams, type UpSampling2DParams } from './backend';
import { checkInto, lengthIs } from './check';
import { assignByLiveness, type LiveRange } from './liveness';
import type { Plan, PlanTarget } from './plan';
import { fail, float32Array } from '../validate';
import { poolInBands, poolsInBands, runOp } from './wasm-call';
import type { Engine, WasmWeights } from './wasm-engine';
import { batchNormJob, preluJob, concatJob, convJob, denseJob, depthwiseJob, elementwiseJob, mergeJob, padJob, permuteJob, planned, poolJob, transposeJob, upsampleJob, type OpJob, type PlannedJob } from './wasm-ops';

/** What operators and graphs need of the backend that made them. */
export interface WasmHost {
  readonly engine: Engine;
  readonly threads: number;
  /** Changes with the thread count and the ISA: plans made before are stale. */
  readonly generation: number;
  target(): PlanTarget;
  /** The packed weights if this backend's engine owns them, else a TypeError. */
  weights(packed: unknown): WasmWeights;
}

export class WasmOperator implements Operator {
  private readonly weights: WasmWeights | null;
  /** The bias (batchNorm: its scale then shift; prelu: its alpha; checked against c at reshape). */
  private readonly bias: Float32Array | null;
  /** The bias in the module's memory for the operator's own runs (graphs copy theirs in). */
  private held: { engine: Engine; ptrs: number[] } | null = null;
  private params: Step['params'] | null = null;
  private job: OpJob | null = null;
  private generation = -1;
  private released = false;

  constructor(private readonly host: WasmHost, private readonly step: Step) {
    const kinds = ['conv2d', 'maxpool2d', 'dense', 'avgpool2d', 'pad2d', 'batchNorm', 'depthwise2d', 'activation', 'conv2dTranspose', 'upsampling2d', 'permute', 'merge', 'concat', 'prelu'];
    if (!kinds.includes(step.op)) fail('type', `${kinds.slice(0, -1).map((k) => `'${k}'`).join(', ')} or '${kinds[kinds.length - 1]}'`, 'the operator kind', step.op);
    if (step.op === 'batchNorm' || step.op === 'prelu') {
      this.weights = null;
      this.bias = step.op === 'prelu' ? float32Array('alpha', step.alpha).slice() : float32Array('scaleShift', step.scaleShift).slice();
      return;
    }
    if (!('packed' in step)) {
      this.weights = this.bias = null;
      return;
    }
    this.weights = host.weights(step.packed);
    const bias = step.bias === null ? null : float32Array('bias', step.bias);
    // A transposed or grouped convolution's bias is per filter: checked by reshape.
    const perFilter = step.op === 'conv2dTranspose' || (step.op === 'conv2d' && (step.params.groups ?? 1) > 1);
    if (bias && !perFilter) lengthIs('bias', bias, this.weights.n);
    this.bias = bias && bias.slice(); // kept as it is now (the in-flight rule)
  }

  /** The job for an input of this geometry, with the operator's own activation and algorithm. */
  plan(params: Step['params']): OpJob {
    if (this.released) throw new TypeError('Expected an operator that has not been released');
    const ctx = { engine: this.host.engine, target: this.host.target() };
    const s = this.step;
    switch (s.op) {
      case 'maxpool2d': {
        const p = params as WindowParams;
        return poolJob(ctx, p.n * p.h * p.w * p.c, p);
      }
      case 'pad2d': {
        const p = params as Pad2DParams;
        return padJob(ctx, p.n * p.h * p.w * p.c, p);
      }
      case 'avgpool2d': {
        const p = params as WindowParams;
        return poolJob(ctx, p.n * p.h * p.w * p.c, p, s.params);
      }
      case 'conv2d': {
        const p = { ...(params as Conv2DParams), activation: s.params.activation, groups: s.params.groups };
        return convJob(ctx, p.n * p.h * p.w * p.c, this.weights!, this.bias, p);
      }
      case 'dense': {
        const p = { ...(params as DenseParams), activation: s.params.activation };
        return denseJob(ctx, p.m * p.k, this.weights!, this.bias, p);
      }
      case 'batchNorm': {
        const p = { ...(params as BatchNormParams), activation: s.params.activation };
        return batchNormJob(ctx, p.m * p.c, this.bias!, p);
      }
      case 'depthwise2d': {
        const p = { ...(params as Depthwise2DParams), activation: s.params.activation };
        return depthwiseJob(ctx, p.n * p.h * p.w * p.c, this.weights!, this.bias, p);
      }
      case 'activation': {
        const { activation, alpha, maxValue, threshold } = s.params;
        const p = { ...(params as ActivationOpParams), activation, alpha, maxValue, threshold };
        return elementwiseJob(ctx, p.m * p.n * p.inner, p);
      }
      case 'conv2dTranspose': {
        const p = { ...(params as Conv2DTransposeParams), activation: s.params.activation };
        return transposeJob(ctx, p.n * p.h * p.w * p.c, this.weights!, this.bias, p);
      }
      case 'upsampling2d': {
        const p = { ...(params as UpSampling2DParams), bilinear: s.params.bilinear };
        return upsampleJob(ctx, p.n * p.h * p.w * p.c, p);
      }
      case 'permute': {
        const p = params as PermuteParams;
        return permuteJob(ctx, p.n * p.d0 * p.d1 * p.d2, p);
      }
      case 'merge':
        return mergeJob(ctx, { ...(params as MergeParams), mode: s.params.mode, divisor: s.params.divisor });
      case 'concat':
        return concatJob(ctx, params as ConcatParams);
      case 'prelu':
        return preluJob(ctx, (params as PReluParams).m * (params as PReluParams).c, this.bias!, params as PReluParams);
      case 'separable2d':
        throw new TypeError('Expected a step of one op (a chain step is a ChainOperator)');
    }
  }

  reshape(params: Step['params']): number {
    this.job = this.plan(params);
    this.params = params;
    this.generation = this.host.generation;
    return this.job.outputs;
  }

  /** The job, and the inputs checked against it: x, and the second input of a merge or concat. */
  private current(x: OpInputs): { job: OpJob; xs: readonly Float32Array[] } {
    if (!this.job) throw new Error('Expected reshape before the operator runs');
    if (this.generation !== this.host.generation) this.reshape(this.params!);
    const job = this.job!, xs = inputList(x), lengths = job.second ? [job.inputs, job.second] : [job.inputs];
    if (xs.length !== lengths.length) throw new TypeError(`Expected ${lengths.length} inputs for this operator`);
    xs.forEach((a, i) => lengthIs('x', float32Array('x', a), lengths[i]));
    return { job, xs };
  }

  run(x: OpInputs, out?: Float32Array): Float32Array {
    const { job, xs } = this.current(x), e = this.host.engine;
    if (out !== undefined) checkInto(out, job.outputs, xs);
    if ((this.step.op === 'maxpool2d' || this.step.op === 'avgpool2d') && poolsInBands(e, xs[0], job)) return poolInBands(e, xs[0], this.params as WindowParams, job, out);
    return runOp(e, this.host.threads, xs, job, true, out, this.extras(e)) as Float32Array;
  }

  runAsync(x: OpInputs): Promise<Float32Array> {
    const { job, xs } = this.current(x), e = this.host.engine;
    return runOp(e, this.host.threads, xs, job, false, undefined, this.extras(e)) as Promise<Float32Array>;
  }

  /** The places of the bias (or of no bias) in e, copied in on the first run. */
  private extras(e: Engine): number[] {
    if (this.held?.engine !== e) {
      this.dropHeld();
      this.held = { engine: e, ptrs: [this.bias ? e.hold(this, this.bias) : 0] };
    }
    return this.held.ptrs;
  }

  private dropHeld(): void {
    if (this.held && this.held.ptrs[0]) this.held.engine.drop(this, this.held.ptrs[0]);
    this.held = null;
  }

  explain(): Plan {
    if (!this.job) throw new Error('Expected reshape before the operator is explained');
    if (this.generation !== this.host.generation) this.reshape(this.params!);
    return this.job!.plan;
  }

  release(): void {
    this.released = true;
    this.job = null;
    this.dropHeld();
  }
}

/** Where a value is during a run. */
type Place = { kind: 'input' | 'output'; index: number } | { kind: 'arena'; offset: number };

interface Schedule {
  params: readonly Step['params'][];
  generation: number;
  jobs: OpJob[];
  places: Place[];
  inputFloats: number[];
  outputFloats: number[];
  arenaFloats: number;
}

export class WasmGraph implements Graph {
  private schedule: Schedule | null = null;

  constructor(private readonly host: WasmHost, private readonly inputs: number, private readonly nodes: readonly GraphNode[], private readonly outputs: readonly number[]) {
    if (!Number.isInteger(inputs) || inputs < 1 || inputs > 64) fail('range', 'integer in [1, 64]', 'inputs', inputs);
    if (!nodes.length) throw new RangeError('Expected at least one node');
    nodes.forEach((n, i) => {
      if (!(n.operator instanceof WasmOperator)) throw new TypeError(`Expected an operator of the wasm backend for nodes[${i}]`);
      if (!Array.isArray(n.inputs) || n.inputs.length < 1 || n.inputs.length > 2) throw new TypeError(`Expected one or two values for nodes[${i}] inputs`);
      for (const v of n.inputs) if (!Number.isInteger(v) || v < 0 || v >= inputs + i) fail('range', `integer in [0, ${inputs + i})`, `nodes[${i}] input`, v);
    });
    const seen = new Set<number>();
    for (const v of outputs) {
      if (!Number.isInteger(v) || v < inputs || v >= inputs + nodes.length || seen.has(v)) throw new RangeError('Expected each output to be a distinct node\'s value');
      seen.add(v);
    }
    if (!outputs.length) throw new RangeError('Expected at least one output');
  }

  reshape(params: readonly Step['params'][]): GraphShape {
    if (params.length !== this.nodes.length) throw new TypeError(`Expected params for each of the ${this.nodes.length} nodes`);
    const values = this.inputs + this.nodes.length;
    const floats = new Array<number>(values).fill(0), lastRead = new Array<number>(values).fill(0);
    const jobs = this.nodes.map((n, i) => {
      const job = (n.operator as WasmOperator).plan(params[i]);
      const needs = job.second ? [job.inputs, job.second] : [job.inputs];
      if (n.inputs.length !== needs.length) throw new RangeError(`Expected node ${i} to read ${needs.length} value${needs.length > 1 ? 's' : ''} (its operator's inputs) but it reads ${n.inputs.length}`);
      n.inputs.forEach((v, j) => {
        if (floats[v] === 0 && v < this.inputs) floats[v] = needs[j];
        if (floats[v] !== needs[j]) throw new RangeError(`Expected node ${i} to read the ${floats[v]} floats of value ${v} but it reads ${needs[j]}`);
        lastRead[v] = i; // every input stays alive until the node has run
      });
      floats[this.inputs + i] = job.outputs;
      return job;
    });
    const places: Place[] = [];
    for (let i = 0; i < this.inputs; i++) {
      if (!floats[i]) throw new RangeError('Expected every graph input to be read by a node');
      places[i] = { kind: 'input', index: i };
    }
    this.outputs.forEach((v, j) => (places[v] = { kind: 'output', index: j }));
    const ranges: LiveRange[] = [], ranged: number[] = [];
    for (let v = this.inputs; v < values; v++) {
      if (places[v]) continue;
      const node = v - this.inputs;
      ranges.push({ floats: floats[v], first: node, last: Math.max(node, lastRead[v]) });
      ranged.push(v);
    }
    const layout = assignByLiveness(ranges);
    ranged.forEach((v, r) => (places[v] = { kind: 'arena', offset: layout.offsets[r] }));
    const outputFloats = this.outputs.map((v) => floats[v]);
    this.schedule = { params, generation: this.host.generation, jobs, places, inputFloats: floats.slice(0, this.inputs), outputFloats, arenaFloats: layout.floats };
    return { arenaBytes: layout.floats * 4, outputs: outputFloats };
  }

  /**
   * The run as jobs in order: the inputs and biases copied in, blocks placed, before the first
   * job is handed out; the last resumption copies the outputs out. Blocks are freed when it ends
   * or is ended early. Packed weights released meanwhile stay allocated (Engine.enter).
   */
  private *jobs(xs: readonly Float32Array[]): Generator<PlannedJob, Float32Array[], void> {
    if (!this.schedule) throw new Error('Expected reshape before the graph runs');
    if (this.schedule.generation !== this.host.generation) this.reshape(this.schedule.params);
    const s = this.schedule!;
    if (xs.length !== this.inputs) throw new TypeError(`Expected ${this.inputs} inputs for the graph`);
    xs.forEach((x, i) => lengthIs('x', float32Array('x', x), s.inputFloats[i]));
    const e = this.host.engine, blocks: number[] = [];
    const keep = (ptr: number) => (blocks.push(ptr), ptr);
    e.enter();
    try {
      const inputs = xs.map((x) => e.residentPtr(x) ?? keep(e.put(x)));
      const extras = s.jobs.map((job) => job.extra.map((a) => (a ? keep(e.put(a)) : 0)));
      const outputs = s.outputFloats.map((n) => keep(e.arena.alloc(n * 4)));
      const arena = s.arenaFloats ? keep(e.arena.alloc(s.arenaFloats * 4)) : 0;
      const ptr = (v: number) => {
        const p = s.places[v];
        if (p.kind === 'arena') return arena + p.offset * 4;
        return p.kind === 'input' ? inputs[p.index] : outputs[p.index];
      };
      for (let i = 0; i < s.jobs.length; i++) yield* planned(s.jobs[i], [...this.nodes[i].inputs.map(ptr), ...extras[i]], ptr(this.inputs + i));
      return outputs.map((p, j) => e.copyOut(p, s.outputFloats[j]));
    } finally {
      blocks.forEach((p) => e.arena.release(p));
      e.leave();
    }
  }

  run(inputs: readonly Float32Array[]): Float32Array[] {
    const jobs = this.jobs(inputs);
    for (let r = jobs.next(); ; r = jobs.next()) {
      if (r.done) return r.value;
      try {
        this.host.engine.runSync(...r.value);
      } catch (e) {
        jobs.return(undefined as never);
        throw e;
      }
    }
  }

  async runAsync(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const jobs = this.jobs(inputs);
    for (let r = jobs.next(); ; r = jobs.next()) {
      if (r.done) return r.value;
      try {
        await this.host.engine.runAsync(...r.value);
      } catch (e) {
        jobs.return(undefined as never);
        throw e;
      }
    }
  }
}
