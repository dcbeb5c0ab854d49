// The contract both backends implement. The native addon (native/napi/bindings.cc) and the
// AssemblyScript kernels take the same names and arguments; the facade makes one call per layer
// forward. Each op returns its output, a new Float32Array that only the caller holds.
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

/** The row-major k x n kernel of panel-packed weights: the inverse of PackWeights (native/kernels). */
export function unpackPanels(packed: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let n0 = 0; n0 < n; n0 += PANEL_WIDTH) {
    const nc = Math.min(PANEL_WIDTH, n - n0), panel = n0 * k;
    for (let kk = 0; kk < k; kk++) out.set(packed.subarray(panel + kk * PANEL_WIDTH, panel + kk * PANEL_WIDTH + nc), kk * n + n0);
  }
  return out;
}

/** Input size, window (as in shape.ts) and output size of a windowed op. */
export interface WindowParams {
  n: number; h: number; w: number; c: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pt: number; pb: number; pl: number; pr: number;
  oh: number; ow: number;
}

export interface Conv2DParams extends WindowParams {
  oc: number;
  activation: number;
  /** Keep the convolution off the native Winograd path (Conv2D's algorithm: 'direct'). */
  direct?: boolean;
}

export interface DenseParams {
  m: number; k: number; n: number;
  activation: number;
}

export interface GemmParams {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  alpha: number; beta: number;
  cRows: number; cCols: number;
  activation: number;
}

/**
 * One layer's backend call with its arguments, minus its input: what a layer forward runs, and
 * one link of a chain (Backend.sequentialAsync).
 */
export type Step =
  | { op: 'conv2d'; packed: PackedWeights; bias: Float32Array | null; params: Conv2DParams }
  | { op: 'maxpool2d'; params: WindowParams }
  | { op: 'dense'; packed: PackedWeights; bias: Float32Array | null; params: DenseParams };

export interface KernelInfo {
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

/** What a backward needs to run the layer's forward itself: its packed weights and bias. */
export interface ForwardWeights {
  packed: PackedWeights;
  bias: Float32Array | null;
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

  conv2d(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Float32Array;
  conv2dAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Promise<Float32Array>;
  maxpool2d(x: Float32Array, p: WindowParams): Float32Array;
  maxpool2dAsync(x: Float32Array, p: WindowParams): Promise<Float32Array>;
  dense(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Float32Array;
  denseAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Promise<Float32Array>;
  /**
   * The steps in order, each one's output the next one's input, off the event loop in one trip:
   * no JavaScript runs between steps and the intermediates never reach it. The in-flight rule
   * holds for the whole chain (x and every bias copied, every step's packed weights held).
   */
  sequentialAsync(x: Float32Array, steps: readonly Step[]): Promise<Float32Array>;
  /**
   * The same chain on this thread, when the backend gains by it (wasm: one copy into the module's
   * memory and one out, where layer by layer each intermediate goes out and back in). Absent:
   * Sequential.forward calls the layers one by one.
   */
  sequential?(x: Float32Array, steps: readonly Step[]): Float32Array;
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
  /** dx: each window's dy to its argmax (the forward's tie rule), recomputed from x. */
  maxpool2dBackward(x: Float32Array, dy: Float32Array, p: WindowParams): Float32Array;
  maxpool2dBackwardAsync(x: Float32Array, dy: Float32Array, p: WindowParams): Promise<Float32Array>;
}
