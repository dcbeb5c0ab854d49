// The native backend: the N-API addon built by node-gyp (build/Release) or a prebuild.
import * as path from 'node:path';
import type { Backend, ForwardWeights, Graph, GraphNode, GraphShape, MergeGrads, OpInputs, Operator, PackedWeights, Step, WeightedGrads } from './backend';
import type { BatchNormGrads, BatchNormStats } from './backend';
import type { PReluGrads } from './op-params';
import { inputList, packedWeightsLength } from './backend';
import { oneShotCalls, splitOutputs } from './one-shot';
import { ChainOperator, chainParts, expandChains } from './chain';
import { checkUngrouped } from './check';
import type { Plan } from './plan';

/** Opaque handles to what the addon owns (type-tagged Externals it checks again). */
type Handle = { readonly __nativeWeights: unique symbol };
type OperatorHandle = { readonly __nativeOperator: unique symbol };
type GraphHandle = { readonly __nativeGraph: unique symbol };

interface Addon {
  info(): ReturnType<Backend['info']>;
  setNumThreads(n: number): void;
  setAsyncThreads(n: number): void;
  selectIsa(isa: string): boolean;
  packWeights(kernel: Float32Array, dims: { k: number; n: number }): Handle;
  unpackWeights(handle: Handle): Float32Array;
  releaseWeights(handle: Handle): void;
  createOperator(kind: string, attrs: object, weights: Handle | null, bias: Float32Array | null): OperatorHandle;
  reshapeOperator(op: OperatorHandle, params: object): number;
  /** second: the second input of a merge or concat. */
  runOperator(op: OperatorHandle, x: Float32Array, out?: Float32Array, second?: Float32Array): Float32Array;
  runOperatorAsync(op: OperatorHandle, x: Float32Array, out?: undefined, second?: Float32Array): Promise<Float32Array>;
  explainOperator(op: OperatorHandle): Plan;
  releaseOperator(op: OperatorHandle): void;
  createGraph(inputs: number, nodes: [OperatorHandle, number[]][], outputs: readonly number[]): GraphHandle;
  reshapeGraph(graph: GraphHandle, params: readonly object[]): GraphShape & { offsets: number[] };
  runGraph(graph: GraphHandle, ...inputs: Float32Array[]): Float32Array;
  runGraphAsync(graph: GraphHandle, ...inputs: Float32Array[]): Promise<Float32Array>;
  gemm: Backend['gemm'];
  gemmAsync: Backend['gemmAsync'];
  gemmInto: Backend['gemmInto'];
  /** [dx | dW | db] in one array (native/napi/grad.cc). */
  conv2dBackward(...args: unknown[]): Float32Array;
  conv2dBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  denseBackward(...args: unknown[]): Float32Array;
  denseBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  depthwise2dBackward(...args: unknown[]): Float32Array;
  depthwise2dBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  maxpool2dBackward(x: Float32Array, dy: Float32Array, p: object): Float32Array;
  maxpool2dBackwardAsync(x: Float32Array, dy: Float32Array, p: object): Promise<Float32Array>;
  avgpool2dBackward(dy: Float32Array, p: object): Float32Array;
  avgpool2dBackwardAsync(dy: Float32Array, p: object): Promise<Float32Array>;
  /** [y | mean | variance] and [dx | dgamma | dbeta] (native/napi/batchnorm.cc). */
  batchNormTraining(...args: unknown[]): Float32Array;
  batchNormTrainingAsync(...args: unknown[]): Promise<Float32Array>;
  batchNormBackward(...args: unknown[]): Float32Array;
  batchNormBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  activationBackward(x: Float32Array, dy: Float32Array, p: object): Float32Array;
  activationBackwardAsync(x: Float32Array, dy: Float32Array, p: object): Promise<Float32Array>;
  conv2dTransposeBackward(...args: unknown[]): Float32Array;
  conv2dTransposeBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  upsampling2dBackward(dy: Float32Array, p: object): Float32Array;
  upsampling2dBackwardAsync(dy: Float32Array, p: object): Promise<Float32Array>;
  /** [da | db] in one array. */
  mergeBackward(a: Float32Array, b: Float32Array, dy: Float32Array, p: object): Float32Array;
  mergeBackwardAsync(a: Float32Array, b: Float32Array, dy: Float32Array, p: object): Promise<Float32Array>;
  concatBackward(dy: Float32Array, p: object): Float32Array;
  /** [dx | dalpha] (native/napi/prelu.cc). */
  preluBackward(x: Float32Array, dy: Float32Array, alpha: Float32Array, p: object): Float32Array;
  preluBackwardAsync(x: Float32Array, dy: Float32Array, alpha: Float32Array, p: object): Promise<Float32Array>;
  concatBackwardAsync(dy: Float32Array, p: object): Promise<Float32Array>;
  _injectFault(kind: 'alloc' | 'threads'): void;
  _benchKernels(seconds: number): KernelRate[];
}

/** One micro-kernel's GFLOP/s on an L1-resident problem, next to the core's FMA peak. */
export interface KernelRate {
  isa: string;
  mr: number;
  kernelGflops: number;
  pairGflops: number;
  rowGflops: number;
  peakGflops: number;
  /** The packed-A kernels, where the ISA has taller ones than mr (else 0). */
  packedMr: number;
  packedGflops: number;
  packedPairGflops: number;
}

/** The packed weights' handle and the bias, the addon's last two arguments of a backward. */
function forwardArgs(f: ForwardWeights | undefined): unknown[] {
  return f ? [handle(f.packed), f.bias] : [];
}

/**
 * The addon's [dx | dW | db] split: dx a view of its start (the largest part, not copied), dW and
 * db copies (small), so each is an array of its own length.
 */
function splitGrads(all: Float32Array, kernel: number, p: { bias: boolean; n: number }): WeightedGrads {
  const biases = p.bias ? p.n : 0, inputs = all.length - kernel - biases;
  return { dx: all.subarray(0, inputs), dw: all.slice(inputs, inputs + kernel), db: p.bias ? all.slice(inputs + kernel) : null };
}

/** The addon's [big | c | c] results of batch normalization, as three arrays (the first a view). */
function splitThree(all: Float32Array, c: number): [Float32Array, Float32Array, Float32Array] {
  const n = all.length - 2 * c;
  return [all.subarray(0, n), all.slice(n, n + c), all.slice(n + c)];
}
const stats = (all: Float32Array, c: number): BatchNormStats => {
  const [y, mean, variance] = splitThree(all, c);
  return { y, mean, variance };
};
const bnGrads = (all: Float32Array, c: number): BatchNormGrads => {
  const [dx, dgamma, dbeta] = splitThree(all, c);
  return { dx, dgamma, dbeta };
};

/** The addon's [dx | dalpha]: dx a view of its start, dalpha a copy. */
const preluGrads = (all: Float32Array, c: number): PReluGrads => ({ dx: all.subarray(0, all.length - c), dalpha: all.slice(all.length - c) });

/** The addon's [da | db]: da a view of its start, db a copy (each an array of its own length). */
function splitMerge(all: Float32Array, floatsA: number): MergeGrads {
  return { da: all.subarray(0, floatsA), db: all.slice(floatsA) };
}

/** Weights packed by the addon: C++ memory, freed by release() or when collected. */
class NativeWeights implements PackedWeights {
  released = false;
  constructor(readonly handle: Handle, readonly length: number) {}
}

/** The native backend, plus test and bench hooks: one makes the next native allocation or thread start fail, one measures the micro-kernels. */
export interface NativeBackend extends Backend {
  injectFault(kind: 'alloc' | 'threads'): void;
  /** Measures every micro-kernel this CPU runs (npm run bench -- --kernels); blocks the thread. */
  benchKernels(seconds: number): KernelRate[];
  /** The addon itself, for the tests of its argument checks. */
  readonly addon: Addon;
}

/** The handle inside packed weights; the addon checks it again (a type-tagged External). */
function handle(packed: PackedWeights): Handle {
  return (packed instanceof NativeWeights ? packed.handle : packed) as Handle;
}

class NativeOperator implements Operator {
  private released = false;
  readonly handle: OperatorHandle;

  constructor(private readonly addon: Addon, step: Step) {
    if (step.op === 'batchNorm' || step.op === 'prelu') {
      this.handle = addon.createOperator(step.op, step.params, null, step.op === 'prelu' ? step.alpha : step.scaleShift);
      return;
    }
    // The ops with weights (conv2d, dense, depthwise2d, conv2dTranspose) hold packed weights and a bias.
    this.handle = 'packed' in step ? addon.createOperator(step.op, step.params, handle(step.packed), step.bias) : addon.createOperator(step.op, step.params, null, null);
  }

  reshape(params: Step['params']): number {
    return this.addon.reshapeOperator(this.handle, params);
  }

  run(x: OpInputs, out?: Float32Array): Float32Array {
    const [first, second, ...more] = inputList(x);
    if (more.length) throw new TypeError('Expected at most two inputs for an operator');
    return this.addon.runOperator(this.handle, first, out, second);
  }

  runAsync(x: OpInputs): Promise<Float32Array> {
    const [first, second, ...more] = inputList(x);
    if (more.length) throw new TypeError('Expected at most two inputs for an operator');
    return this.addon.runOperatorAsync(this.handle, first, undefined, second);
  }

  explain(): Plan {
    return this.addon.explainOperator(this.handle);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.addon.releaseOperator(this.handle);
  }
}

class NativeGraph implements Graph {
  private readonly handle: GraphHandle;
  private offsets: number[] = [];
  private lengths: number[] = [];

  constructor(private readonly addon: Addon, inputs: number, nodes: readonly GraphNode[], outputs: readonly number[]) {
    const wired = nodes.map((n, i): [OperatorHandle, number[]] => {
      if (!(n.operator instanceof NativeOperator)) throw new TypeError(`Expected an operator of the native backend for nodes[${i}]`);
      return [n.operator.handle, [...n.inputs]];
    });
    this.handle = addon.createGraph(inputs, wired, outputs);
  }

  reshape(params: readonly Step['params'][]): GraphShape {
    const shape = this.addon.reshapeGraph(this.handle, params);
    this.offsets = shape.offsets;
    this.lengths = shape.outputs;
    return { arenaBytes: shape.arenaBytes, outputs: shape.outputs };
  }

  run(inputs: readonly Float32Array[]): Float32Array[] {
    return splitOutputs(this.addon.runGraph(this.handle, ...inputs), this.offsets, this.lengths);
  }

  async runAsync(inputs: readonly Float32Array[]): Promise<Float32Array[]> {
    const offsets = this.offsets, lengths = this.lengths; // of the schedule this run takes
    return splitOutputs(await this.addon.runGraphAsync(this.handle, ...inputs), offsets, lengths);
  }
}

/** Loads the addon; throws what node-gyp-build threw when there is none for this platform. */
export function loadNative(): NativeBackend {
  // dist/backends/ and lib/backends/ both sit two levels below the package root.
  const root = path.join(__dirname, '..', '..');
  // CONVKIT_ADDON_PATH loads a build from elsewhere instead (`npm run test:asan` uses it).
  const custom = process.env.CONVKIT_ADDON_PATH;
  const addon: Addon = custom ? require(path.resolve(custom)) : require('node-gyp-build')(root);
  const backend: NativeBackend = {
    name: 'native',
    epoch: 0,
    addon,
    info: () => addon.info(),
    setNumThreads: (n) => addon.setNumThreads(n),
    setAsyncThreads: (n) => addon.setAsyncThreads(n),
    selectIsa: (isa) => addon.selectIsa(isa),
    packWeights: (kernel, dims) => new NativeWeights(addon.packWeights(kernel, dims), packedWeightsLength(dims.k, dims.n)),
    unpackWeights: (packed) => addon.unpackWeights(handle(packed)),
    // Packed weights serve every ISA; a released handle is never used again.
    owns: (packed) => packed instanceof NativeWeights && !packed.released,
    release: (packed) => {
      if (!(packed instanceof NativeWeights) || packed.released) return;
      packed.released = true;
      addon.releaseWeights(packed.handle);
    },
    createOperator: (step) => (chainParts(step) ? new ChainOperator(backend, step, chainParts(step)!) : new NativeOperator(addon, step)),
    createGraph: (inputs, nodes, outputs) => expandChains(inputs, nodes, outputs, (i, n, o) => new NativeGraph(addon, i, n, o)),
    ...({} as ReturnType<typeof oneShotCalls>),
    gemm: (a, b, c, p) => addon.gemm(a, b, c, p),
    gemmAsync: (a, b, c, p) => addon.gemmAsync(a, b, c, p),
    gemmInto: (a, b, c, p, out) => addon.gemmInto(a, b, c, p, out),
    conv2dBackward: (x, dy, y, kernel, p, f) => (checkUngrouped(p), splitGrads(addon.conv2dBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, { bias: p.bias, n: p.oc })),
    conv2dBackwardAsync: (x, dy, y, kernel, p, f) => {
      checkUngrouped(p);
      const weights = kernel.length, bias = { bias: p.bias, n: p.oc }; // read now: they may change meanwhile
      return addon.conv2dBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    denseBackward: (x, dy, y, kernel, p, f) => splitGrads(addon.denseBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, p),
    denseBackwardAsync: (x, dy, y, kernel, p, f) => {
      const weights = kernel.length, bias = { bias: p.bias, n: p.n };
      return addon.denseBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    depthwise2dBackward: (x, dy, y, kernel, p, f) => splitGrads(addon.depthwise2dBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, { bias: p.bias, n: p.oc }),
    depthwise2dBackwardAsync: (x, dy, y, kernel, p, f) => {
      const weights = kernel.length, bias = { bias: p.bias, n: p.oc };
      return addon.depthwise2dBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    maxpool2dBackward: (x, dy, p) => addon.maxpool2dBackward(x, dy, p),
    maxpool2dBackwardAsync: (x, dy, p) => addon.maxpool2dBackwardAsync(x, dy, p),
    avgpool2dBackward: (dy, p) => addon.avgpool2dBackward(dy, p),
    avgpool2dBackwardAsync: (dy, p) => addon.avgpool2dBackwardAsync(dy, p),
    batchNormTraining: (x, g, b, p) => stats(addon.batchNormTraining(x, g, b, p), p.c),
    batchNormTrainingAsync: (x, g, b, p) => addon.batchNormTrainingAsync(x, g, b, p).then((all) => stats(all, p.c)),
    batchNormBackward: (x, dy, mean, variance, g, p) => bnGrads(addon.batchNormBackward(x, dy, mean, variance, g, p), p.c),
    batchNormBackwardAsync: (x, dy, mean, variance, g, p) => {
      const c = p.c;
      return addon.batchNormBackwardAsync(x, dy, mean, variance, g, p).then((all) => bnGrads(all, c));
    },
    activationBackward: (x, dy, p) => addon.activationBackward(x, dy, p),
    activationBackwardAsync: (x, dy, p) => addon.activationBackwardAsync(x, dy, p),
    conv2dTransposeBackward: (x, dy, y, kernel, p, f) => splitGrads(addon.conv2dTransposeBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, { bias: p.bias, n: p.oc }),
    conv2dTransposeBackwardAsync: (x, dy, y, kernel, p, f) => {
      const weights = kernel.length, bias = { bias: p.bias, n: p.oc };
      return addon.conv2dTransposeBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    upsampling2dBackward: (dy, p) => addon.upsampling2dBackward(dy, p),
    upsampling2dBackwardAsync: (dy, p) => addon.upsampling2dBackwardAsync(dy, p),
    mergeBackward: (a, b, dy, p) => splitMerge(addon.mergeBackward(a, b, dy, p), a.length),
    mergeBackwardAsync: (a, b, dy, p) => {
      const split = a.length; // read now: a may change meanwhile
      return addon.mergeBackwardAsync(a, b, dy, p).then((all) => splitMerge(all, split));
    },
    preluBackward: (x, dy, alpha, p) => preluGrads(addon.preluBackward(x, dy, alpha, p), p.c),
    preluBackwardAsync: (x, dy, alpha, p) => {
      const c = p.c;
      return addon.preluBackwardAsync(x, dy, alpha, p).then((all) => preluGrads(all, c));
    },
    concatBackward: (dy, p) => splitMerge(addon.concatBackward(dy, p), p.m * p.ca),
    concatBackwardAsync: (dy, p) => {
      const split = p.m * p.ca;
      return addon.concatBackwardAsync(dy, p).then((all) => splitMerge(all, split));
    },
    injectFault: (kind) => addon._injectFault(kind),
    benchKernels: (seconds) => addon._benchKernels(seconds),
  };
  return Object.assign(backend, oneShotCalls(backend));
}
