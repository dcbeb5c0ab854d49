// The contract both backends implement, each planning for its own machine. An op is an Operator
// (XNNPACK's lifecycle): created once with its weights and attributes, reshaped once per input
// shape (its geometry checked and its plan made), run many times on arrays alone. A Graph of
// operators is compiled once per input shape (intermediates placed by liveness in one arena) and
// run as one job. Each run returns its output, a new Float32Array that only the caller holds
// (or writes a caller's array in place).
//
// In-flight rule (both backends): a sync op reads its inputs in place; an async op takes what it
// reads (inputs copied, packed weights shared) before it returns its Promise. Nothing the caller
// does afterwards (writing, detaching or resizing an input, setWeights, dropping the layer) can
// change the result or make the computation read freed memory.

export type BackendName = 'native' | 'wasm';
export const backendNames: readonly BackendName[] = ['native', 'wasm'];

import { PANEL_WIDTH } from '../generated/kernels';

/** Columns per packed weight panel (kernels.json). */
export { PANEL_WIDTH };

/** Floats in the packed form of a k x n weight matrix (see PackWeights in native/kernels). */
export function packedWeightsLength(k: number, n: number): number {
  return Math.ceil(n / PANEL_WIDTH) * PANEL_WIDTH * k;
}

/**
 * Columns of a grouped convolution's packed kernel (native/ops/plan.h GroupedColumns): each
 * group's oc / groups columns zero-padded to whole panels, so each group has panels of its own.
 */
export function groupedColumns(oc: number, groups: number): number {
  return groups === 1 ? oc : groups * Math.ceil(oc / groups / PANEL_WIDTH) * PANEL_WIDTH;
}

/** The row-major k x n kernel of panel-packed weights: the inverse of PackWeights (native/kernels). */
export function unpackPanels(packed: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let n0 = 0; n0 < n; n0 += PANEL_WIDTH) {
    const nc = Math.min(PANEL_WIDTH, n - n0), panel = n0 * k;
    for (let kk = 0; kk < k; kk++) out.set(packed.subarray(panel + kk * PANEL_WIDTH, panel + kk * PANEL_WIDTH + nc), kk * n + n0);
  }
  return out;
}

// Each op's parameters (its geometry and attributes, kernels.json's params): op-params.ts.
export type * from './op-params';
import type {
  ActivationOpParams, AvgPool2DParams, Plan, BatchNormParams, ConcatParams, Conv2DParams, Conv2DTransposeParams, DenseParams, Depthwise2DParams,
  BatchNormGrads, BatchNormStats, BatchNormTrainParams, GemmParams, MergeParams, Pad2DParams, PermuteParams, UpSampling2DParams, WindowParams,
} from './op-params';
import type { PReluGrads, PReluParams } from './op-params';
import type { SeparableConv2DParams } from './op-params';

/**
 * One layer's op for an input of a known shape: what it is bound to (weights, bias, the
 * activation and algorithm in params) and the geometry of that input (params).
 */
export type Step =
  | { op: 'conv2d'; packed: PackedWeights; bias: Float32Array | null; params: Conv2DParams }
  | { op: 'maxpool2d'; params: WindowParams }
  | { op: 'dense'; packed: PackedWeights; bias: Float32Array | null; params: DenseParams }
  | { op: 'avgpool2d'; params: AvgPool2DParams }
  | { op: 'pad2d'; params: Pad2DParams }
  /** y = x * s + t per channel: scaleShift holds s then t (2c floats, copied). */
  | { op: 'batchNorm'; scaleShift: Float32Array; params: BatchNormParams }
  | { op: 'depthwise2d'; packed: PackedWeights; bias: Float32Array | null; params: Depthwise2DParams }
  | { op: 'activation'; params: ActivationOpParams }
  | { op: 'conv2dTranspose'; packed: PackedWeights; bias: Float32Array | null; params: Conv2DTransposeParams }
  | { op: 'upsampling2d'; params: UpSampling2DParams }
  | { op: 'permute'; params: PermuteParams }
  | { op: 'merge'; params: MergeParams }
  | { op: 'concat'; params: ConcatParams }
  /** y = x above 0, else x * alpha per channel: alpha holds c floats (copied). */
  | { op: 'prelu'; alpha: Float32Array; params: PReluParams }
  /** SeparableConv2D: its depthwise step, then its pointwise (1x1 conv2d) step on that output (chain.ts). */
  | { op: 'separable2d'; depthwise: Step; pointwise: Step; params: SeparableConv2DParams };

/** The steps whose operators take two inputs (a and b, in this order). */
export const TWO_INPUT_OPS: readonly Step['op'][] = ['merge', 'concat'];

/**
 * What a run reads: one array for an operator of one input, or one array per input in its order
 * (merge and concat: [a, b]). A one-input operator takes either form.
 */
export type OpInputs = Float32Array | readonly Float32Array[];

/** The arrays of a run, one per input. */
export function inputList(x: OpInputs): readonly Float32Array[] {
  return Array.isArray(x) ? x : [x as Float32Array];
}

/**
 * An op bound to its weights, bias and attributes (Backend.createOperator reads a step's op,
 * packed, bias, params.activation and params.direct, an activation step's alpha, maxValue and
 * threshold, and a merge's params.mode and divisor; the bias is copied). It holds what it reads: calls in flight are not affected by release() or by
 * anything the caller does. A merge or concat operator takes two inputs: its run and runAsync
 * take [a, b] (each of the floats its reshape's params give), its graph node two values.
 */
export interface Operator {
  /**
   * Checks the geometry of an input (a step's params: sizes, window, output extent, against the
   * weights) and plans for it; returns the floats of the output. Once per input shape.
   */
  reshape(params: Step['params']): number;
  /** Runs on x (the floats of the last reshape) into a new array, or into out (no overlap with any input). */
  run(x: OpInputs, out?: Float32Array): Float32Array;
  /** run off the calling thread; the inputs are copied before this returns. */
  runAsync(x: OpInputs): Promise<Float32Array>;
  /** The plan the next run follows (its path and how threads share it): tests and diagnostics. */
  explain(): Plan;
  /** Frees the operator's share of its weights and plans now (or when collected). */
  release(): void;
}

/**
 * A node of a graph: an operator and the values it reads, one per input of the operator in its
 * order (values: the graph inputs first, then the nodes in order). Every value a node reads stays
 * alive (its arena space untouched) until that node has run.
 */
export interface GraphNode {
  operator: Operator;
  inputs: readonly number[];
}

/** A graph's schedule for one set of input shapes. */
export interface GraphShape {
  /** Bytes of the arena that holds every intermediate value, placed by liveness. */
  arenaBytes: number;
  /** Floats of each output. */
  outputs: number[];
}

/**
 * A DAG of operators (values: the graph's inputs, then one per node; a node reads a value
 * numbered below its own, a value may be read by several nodes and be an output too), compiled
 * once per input shape and run as one job. It holds its operators' weights (release() of an
 * operator does not affect it).
 */
export interface Graph {
  /** Each node's params (the geometry its operator gets), checked to chain: the schedule. */
  reshape(params: readonly Step['params'][]): GraphShape;
  /** Runs on one array per graph input; returns one new array per output. */
  run(inputs: readonly Float32Array[]): Float32Array[];
  /** run, as one job off the calling thread; the inputs are copied before this returns. */
  runAsync(inputs: readonly Float32Array[]): Promise<Float32Array[]>;
}

export interface KernelInfo {
  /** Threads of async jobs (native: every core but one unless a count was set; wasm: threads). */
  asyncThreads?: number;
  /** Instruction set of the GEMM micro-kernel in use, e.g. 'avx2-fma'. */
  isa: string;
  /** Every instruction set this machine can run, widest first. */
  isas: string[];
  threads: number;
  /** Rows of the GEMM micro-kernel in use (its tile is mr x PANEL_WIDTH). */
  mr: number;
  /** Rows of the micro-kernel over packed A (large GEMMs), where the ISA has a taller one; else mr. */
  packedMr: number;
}

/**
 * Weights packed for one backend's GEMM (create once, run many). Opaque to the layers: the
 * native backend packs into a Float32Array, the wasm backend into its module's memory.
 */
export interface PackedWeights {
  /** Floats in the packed form: packedWeightsLength(k, n). */
  readonly length: number;
}

/**
 * A weighted layer's backward: its forward params, where `activation` names the derivative dy
 * goes through first (linear: none, dy is already with respect to the pre-activation), and
 * whether the layer has a bias (db is computed only then).
 */
export type Conv2DGradParams = Conv2DParams & { bias: boolean };
export type DenseGradParams = DenseParams & { bias: boolean };
export type Depthwise2DGradParams = Depthwise2DParams & { bias: boolean };
export type Conv2DTransposeGradParams = Conv2DTransposeParams & { bias: boolean };

/** What a backward needs to run the layer's forward itself: its packed weights and bias. */
export interface ForwardWeights {
  packed: PackedWeights;
  bias: Float32Array | null;
}

/** A binary merge's gradients: da like a, db like b (each summed over the axes it spreads along). */
export interface MergeGrads {
  da: Float32Array;
  db: Float32Array;
}

/** A weighted layer's gradients: dx like x, dw like the unpacked kernel, db like the bias (or null). */
export interface WeightedGrads {
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array | null;
}

export interface Backend {
  readonly name: BackendName;
  info(): KernelInfo;
  setNumThreads(n: number): void;
  /** The threads of async jobs (forwardAsync, graphs' runAsync, gemmAsync); 0: setNumThreads's count. Native only. */
  setAsyncThreads?(n: number): void;
  /** Switches the GEMM micro-kernel; false when this machine cannot run it. */
  selectIsa(isa: string): boolean;

  /** Packs a row-major k x n kernel for the GEMM, once per layer and backend. */
  packWeights(kernel: Float32Array, dims: { k: number; n: number }): PackedWeights;
  /** The row-major k x n kernel these weights were packed from (exact: packing only moves floats). */
  unpackWeights(packed: PackedWeights): Float32Array;
  /** Whether these packed weights can be used now (the wasm backend re-packs after selectIsa). */
  owns(packed: PackedWeights): boolean;
  /** Frees packed weights the layer no longer needs (they are also freed when collected). */
  release(packed: PackedWeights): void;
  /**
   * A copy of data in the backend's own memory, which its calls read in place (no copy in), or
   * null where the backend has none that can hold it for long (native reads JavaScript's memory
   * directly; wasm without shared memory, whose growth would detach the view).
   */
  resident?(data: Float32Array): Float32Array | null;
  /** Frees what resident() made of data; false when data is not such a copy (of any engine). */
  releaseResident?(data: Float32Array): boolean;

  /**
   * Changes whenever operators and packed weights made before can no longer be used (wasm: a
   * switch of ISA instantiates another module); native: always 0.
   */
  readonly epoch: number;
  /** An operator for a step (its params give the activation and, for conv2d, direct). */
  createOperator(step: Step): Operator;
  /** A graph with `inputs` inputs, these nodes in order, and these values as outputs. */
  createGraph(inputs: number, nodes: readonly GraphNode[], outputs: readonly number[]): Graph;

  // One-shot calls (create, reshape, run, release: tests and one-off use; layers keep operators).
  conv2d(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Float32Array;
  conv2dAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Promise<Float32Array>;
  maxpool2d(x: Float32Array, p: WindowParams): Float32Array;
  maxpool2dAsync(x: Float32Array, p: WindowParams): Promise<Float32Array>;
  dense(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Float32Array;
  denseAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Promise<Float32Array>;
  gemm(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Float32Array;
  gemmAsync(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Promise<Float32Array>;
  /** gemm written into out (m x n floats sharing no memory with a, b or c); returns out. */
  gemmInto(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, out: Float32Array): Float32Array;

  // Backward: one call computes all of a layer's gradients (each a new array only the caller
  // holds), the async one in one job off the event loop, under the in-flight rule (x, dy, y, the
  // kernel and bias copied, the packed weights held). The kernel is the row-major, unpacked one.
  // y is the layer's forward output for x, needed unless p.activation is linear; when it is null
  // the call runs the forward first, in the same job, from `forward` (the layer's packed weights
  // and bias), with the bits forward gives. Same bits for any thread count.
  conv2dBackward(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DGradParams, forward?: ForwardWeights): WeightedGrads;
  conv2dBackwardAsync(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DGradParams, forward?: ForwardWeights): Promise<WeightedGrads>;
  denseBackward(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: DenseGradParams, forward?: ForwardWeights): WeightedGrads;
  denseBackwardAsync(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: DenseGradParams, forward?: ForwardWeights): Promise<WeightedGrads>;
  /** The kernel is [kh, kw, c, m] row-major (kh * kw x oc); dw like it. */
  depthwise2dBackward(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Depthwise2DGradParams, forward?: ForwardWeights): WeightedGrads;
  depthwise2dBackwardAsync(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Depthwise2DGradParams, forward?: ForwardWeights): Promise<WeightedGrads>;
  /** dx: each window's dy to its argmax (the forward's tie rule), recomputed from x. */
  maxpool2dBackward(x: Float32Array, dy: Float32Array, p: WindowParams): Float32Array;
  maxpool2dBackwardAsync(x: Float32Array, dy: Float32Array, p: WindowParams): Promise<Float32Array>;
  /** dx: each cell the sum of dy / divisor over the windows that hold it, in window-tap order. */
  avgpool2dBackward(dy: Float32Array, p: AvgPool2DParams): Float32Array;
  avgpool2dBackwardAsync(dy: Float32Array, p: AvgPool2DParams): Promise<Float32Array>;

  /**
   * Batch normalization in training (gamma, beta null: 1 and 0): the mean and biased variance of
   * each channel over the m rows, then y = (x - mean) / sqrt(variance + epsilon) * gamma + beta.
   */
  batchNormTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, p: BatchNormTrainParams): BatchNormStats;
  batchNormTrainingAsync(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, p: BatchNormTrainParams): Promise<BatchNormStats>;
  /** Its backward, given the batch's mean and variance (batchNormTraining's). */
  batchNormBackward(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, p: BatchNormTrainParams): BatchNormGrads;
  batchNormBackwardAsync(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, p: BatchNormTrainParams): Promise<BatchNormGrads>;
  /** dx = dy * f'(x) of a standalone activation, from x (softmax: per row). */
  activationBackward(x: Float32Array, dy: Float32Array, p: ActivationOpParams): Float32Array;
  activationBackwardAsync(x: Float32Array, dy: Float32Array, p: ActivationOpParams): Promise<Float32Array>;
  /** A transposed convolution's gradients: dW like the [kh, kw, oc, c] kernel, db of oc floats. */
  conv2dTransposeBackward(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DTransposeGradParams, forward?: ForwardWeights): WeightedGrads;
  conv2dTransposeBackwardAsync(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DTransposeGradParams, forward?: ForwardWeights): Promise<WeightedGrads>;
  /** dx of UpSampling2D: each input cell gathers the gradients of the outputs that read it, in a fixed order. */
  upsampling2dBackward(dy: Float32Array, p: UpSampling2DParams): Float32Array;
  upsampling2dBackwardAsync(dy: Float32Array, p: UpSampling2DParams): Promise<Float32Array>;
  /** A binary merge's da and db from a, b and dy (like the output); sums in a fixed order. */
  mergeBackward(a: Float32Array, b: Float32Array, dy: Float32Array, p: MergeParams): MergeGrads;
  mergeBackwardAsync(a: Float32Array, b: Float32Array, dy: Float32Array, p: MergeParams): Promise<MergeGrads>;
  /** A concatenation's da and db: dy's rows split (da the first ca floats of each, db the rest). */
  concatBackward(dy: Float32Array, p: ConcatParams): MergeGrads;
  concatBackwardAsync(dy: Float32Array, p: ConcatParams): Promise<MergeGrads>;
  /** PReLU's dx and dalpha (the sum of dy * x where x <= 0 over the rows, float64, in an order fixed by the shape). */
  preluBackward(x: Float32Array, dy: Float32Array, alpha: Float32Array, p: PReluParams): PReluGrads;
  preluBackwardAsync(x: Float32Array, dy: Float32Array, alpha: Float32Array, p: PReluParams): Promise<PReluGrads>;
}
