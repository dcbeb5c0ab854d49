// The native backend: the N-API addon built by node-gyp (build/Release) or a prebuild.
import * as path from 'node:path';
import type { Backend, ForwardWeights, PackedWeights, Step, WeightedGrads } from './backend';
import { packedWeightsLength } from './backend';
import type { Plan, PlannedOp } from './plan';

/** A handle to weights the addon packed and owns (see native/napi/weights.h). */
type Handle = { readonly __nativeWeights: unique symbol };

type Addon = Omit<Backend, 'name' | 'owns' | 'release' | 'packWeights' | 'unpackWeights' | 'conv2d' | 'conv2dAsync' | 'dense' | 'denseAsync' | 'sequentialAsync' | GradOps> & {
  packWeights(kernel: Float32Array, dims: { k: number; n: number }): Handle;
  unpackWeights(handle: Handle): Float32Array;
  releaseWeights(handle: Handle): void;
  conv2d(...args: unknown[]): Float32Array;
  conv2dAsync(...args: unknown[]): Promise<Float32Array>;
  dense(...args: unknown[]): Float32Array;
  denseAsync(...args: unknown[]): Promise<Float32Array>;
  /** x, then (op, params, weights | null, bias | null) per step: native/napi/sequential.h. */
  sequentialAsync(...args: unknown[]): Promise<Float32Array>;
  /** [dx | dW | db] in one array (native/napi/grad.cc). */
  conv2dBackward(...args: unknown[]): Float32Array;
  conv2dBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  denseBackward(...args: unknown[]): Float32Array;
  denseBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  maxpool2dBackward(...args: unknown[]): Float32Array;
  maxpool2dBackwardAsync(...args: unknown[]): Promise<Float32Array>;
  _injectFault(kind: 'alloc' | 'threads'): void;
  _plan(op: PlannedOp, params: object): Plan;
  _benchKernels(seconds: number): KernelRate[];
};

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

export type { PlannedOp } from './plan';

type GradOps = 'conv2dBackward' | 'conv2dBackwardAsync' | 'denseBackward' | 'denseBackwardAsync' | 'maxpool2dBackward' | 'maxpool2dBackwardAsync';

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

/** Weights packed by the addon: C++ memory, freed by release() or when collected. */
class NativeWeights implements PackedWeights {
  released = false;
  constructor(readonly handle: Handle, readonly length: number) {}
}

/**
 * The native backend, plus test and bench hooks: one makes the next native allocation or thread
 * start fail, one returns the plan native/ops/plan.cc makes for a call's params, one measures
 * the micro-kernels.
 */
export interface NativeBackend extends Backend {
  injectFault(kind: 'alloc' | 'threads'): void;
  plan(op: PlannedOp, params: object): Plan;
  /** Measures every micro-kernel this CPU runs (npm run bench -- --kernels); blocks the thread. */
  benchKernels(seconds: number): KernelRate[];
}

/** The handle inside packed weights; the addon checks it again (a type-tagged External). */
function handle(packed: PackedWeights): Handle | PackedWeights {
  return packed instanceof NativeWeights ? packed.handle : packed;
}

/** The addon's arguments for a chain: x, then op, params, weights and bias of each step. */
function chainArgs(x: Float32Array, steps: readonly Step[]): unknown[] {
  const args: unknown[] = [x];
  for (const s of steps) {
    if (s.op === 'maxpool2d') args.push(s.op, s.params, null, null);
    else args.push(s.op, s.params, handle(s.packed), s.bias);
  }
  return args;
}

/** Loads the addon; throws what node-gyp-build threw when there is none for this platform. */
export function loadNative(): NativeBackend {
  // dist/backends/ and lib/backends/ both sit two levels below the package root.
  const root = path.join(__dirname, '..', '..');
  // CONVKIT_ADDON_PATH loads a build from elsewhere instead (`npm run test:asan` uses it).
  const custom = process.env.CONVKIT_ADDON_PATH;
  const addon: Addon = custom ? require(path.resolve(custom)) : require('node-gyp-build')(root);
  return {
    name: 'native',
    info: () => addon.info(),
    setNumThreads: (n) => addon.setNumThreads(n),
    selectIsa: (isa) => addon.selectIsa(isa),
    packWeights: (kernel, dims) => new NativeWeights(addon.packWeights(kernel, dims), packedWeightsLength(dims.k, dims.n)),
    unpackWeights: (packed) => addon.unpackWeights(handle(packed) as Handle),
    // Packed weights serve every ISA; a released handle is never used again.
    owns: (packed) => packed instanceof NativeWeights && !packed.released,
    release: (packed) => {
      if (!(packed instanceof NativeWeights) || packed.released) return;
      packed.released = true;
      addon.releaseWeights(packed.handle);
    },
    conv2d: (x, packed, bias, p) => addon.conv2d(x, handle(packed), bias, p),
    conv2dAsync: (x, packed, bias, p) => addon.conv2dAsync(x, handle(packed), bias, p),
    maxpool2d: (x, p) => addon.maxpool2d(x, p),
    maxpool2dAsync: (x, p) => addon.maxpool2dAsync(x, p),
    dense: (x, packed, bias, p) => addon.dense(x, handle(packed), bias, p),
    denseAsync: (x, packed, bias, p) => addon.denseAsync(x, handle(packed), bias, p),
    sequentialAsync: (x, steps) => addon.sequentialAsync(...chainArgs(x, steps)),
    gemm: (a, b, c, p) => addon.gemm(a, b, c, p),
    gemmAsync: (a, b, c, p) => addon.gemmAsync(a, b, c, p),
    gemmInto: (a, b, c, p, out) => addon.gemmInto(a, b, c, p, out),
    conv2dBackward: (x, dy, y, kernel, p, f) => splitGrads(addon.conv2dBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, { bias: p.bias, n: p.oc }),
    conv2dBackwardAsync: (x, dy, y, kernel, p, f) => {
      const weights = kernel.length, bias = { bias: p.bias, n: p.oc }; // read now: they may change meanwhile
      return addon.conv2dBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    denseBackward: (x, dy, y, kernel, p, f) => splitGrads(addon.denseBackward(x, dy, y, kernel, p, ...forwardArgs(f)), kernel.length, p),
    denseBackwardAsync: (x, dy, y, kernel, p, f) => {
      const weights = kernel.length, bias = { bias: p.bias, n: p.n };
      return addon.denseBackwardAsync(x, dy, y, kernel, p, ...forwardArgs(f)).then((all) => splitGrads(all, weights, bias));
    },
    maxpool2dBackward: (x, dy, p) => addon.maxpool2dBackward(x, dy, p),
    maxpool2dBackwardAsync: (x, dy, p) => addon.maxpool2dBackwardAsync(x, dy, p),
    injectFault: (kind) => addon._injectFault(kind),
    plan: (op, params) => addon._plan(op, params),
    benchKernels: (seconds) => addon._benchKernels(seconds),
  };
}
