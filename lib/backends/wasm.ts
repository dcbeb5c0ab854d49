// The wasm backend: the AssemblyScript kernels (assembly/) behind the same contract as the
// native addon. It plans for itself (plan.ts, for its kernels and threads): operators and graphs
// (wasm-graph.ts) keep their planned jobs (wasm-ops.ts), which an Engine (wasm-engine.ts) runs in
// the module's memory, on worker threads too when the memory is shared; packed weights stay in
// the module's memory for the layer's lifetime.
import type { Backend, Graph, GraphNode, GemmParams, KernelInfo, Operator, PackedWeights, Step } from './backend';
import { unpackPanels } from './backend';
import { checkInto, checkPack } from './check';
import { PLAN, WASM_MR } from '../generated/kernels';
import type { PlanTarget } from './plan';
import { oneShotCalls } from './one-shot';
import { ChainOperator, chainParts, expandChains } from './chain';
import { Engine, WasmWeights, type WasmPlatform, type WasmVariant, type WasmVariantName } from './wasm-engine';
import { wasmGemm } from './wasm-gemm';
import { wasmGrads } from './wasm-grad';
import { wasmWeightlessGrads } from './wasm-grad-weightless';
import { wasmBatchNorm } from './wasm-batchnorm';
import { wasmDepthwiseGrads } from './wasm-depthwise-grad';
import { wasmResampleGrads } from './wasm-grad-resample';
import { WasmGraph, WasmOperator, type WasmHost } from './wasm-graph';
import { wasmMergeGrads } from './wasm-merge-grad';
import { wasmPRelu } from './wasm-prelu';

export type { WasmPlatform, WasmVariant, WasmVariantName } from './wasm-engine';

/** The backward methods (wasm-grad.ts and the ops' own files), set on each instance by the constructor. */
export interface WasmBackend extends ReturnType<typeof wasmGrads>, ReturnType<typeof wasmWeightlessGrads>, ReturnType<typeof wasmBatchNorm>, ReturnType<typeof wasmDepthwiseGrads>, ReturnType<typeof wasmResampleGrads>,
  ReturnType<typeof wasmMergeGrads>, ReturnType<typeof wasmPRelu> {}

export class WasmBackend implements Backend, WasmHost {
  readonly name = 'wasm' as const;
  private engines = new Map<WasmVariantName, Engine>();
  engine: Engine;
  threads: number;
  /** Bumped by a switch of ISA: operators and weights of the last engine are not this one's. */
  epoch = 0;
  /** Bumped by a change of threads or ISA: operators plan again before their next run. */
  generation = 0;
  readonly conv2d;
  readonly conv2dAsync;
  readonly maxpool2d;
  readonly maxpool2dAsync;
  readonly dense;
  readonly denseAsync;

  constructor(private readonly platform: WasmPlatform, defaultThreads: number) {
    if (!platform.variants.length) throw new Error('this WebAssembly engine can run none of the convkit modules');
    this.engine = this.engineFor(platform.variants[0]);
    this.threads = this.engine.threaded ? Math.max(1, Math.min(defaultThreads, 64)) : 1;
    // Start the workers now: they are ready by the time a second thread is wanted.
    this.engine.ensureWorkers(this.threads);
    ({ conv2d: this.conv2d, conv2dAsync: this.conv2dAsync, maxpool2d: this.maxpool2d, maxpool2dAsync: this.maxpool2dAsync, dense: this.dense, denseAsync: this.denseAsync } = oneShotCalls(this));
    const grads = { engine: () => this.engine, target: () => this.target(), weights: (packed: PackedWeights) => this.weights(packed) };
    Object.assign(this, wasmGrads(grads), wasmWeightlessGrads(grads), wasmBatchNorm(grads), wasmDepthwiseGrads(grads), wasmResampleGrads(grads), wasmMergeGrads(grads), wasmPRelu(grads));
  }

  private engineFor(v: WasmVariant): Engine {
    let e = this.engines.get(v.name);
    if (!e) this.engines.set(v.name, (e = new Engine(this.platform, v)));
    return e;
  }

  info(): KernelInfo {
    return { isa: `wasm-${this.engine.variant.name}`, isas: this.platform.variants.map((v) => `wasm-${v.name}`), threads: this.threads, mr: WASM_MR, packedMr: WASM_MR };
  }

  setNumThreads(n: number): void {
    this.threads = this.engine.threaded ? Math.max(1, Math.min(n, 64)) : 1;
    this.engine.ensureWorkers(this.threads);
    this.generation++;
  }

  selectIsa(isa: string): boolean {
    const v = this.platform.variants.find((x) => `wasm-${x.name}` === isa);
    if (!v) return false;
    const engine = this.engineFor(v);
    if (engine !== this.engine) this.epoch++;
    this.engine = engine;
    this.setNumThreads(this.threads);
    return true;
  }

  resident(data: Float32Array): Float32Array | null {
    return this.engine.adopt(data);
  }

  releaseResident(data: Float32Array): boolean {
    for (const e of this.engines.values()) if (e.releaseResident(data)) return true;
    return false;
  }

  owns(packed: PackedWeights): boolean {
    return packed instanceof WasmWeights && packed.engine === this.engine && !packed.released;
  }

  unpackWeights(packed: PackedWeights): Float32Array {
    if (!(packed instanceof WasmWeights) || packed.released) throw new TypeError('Expected weights packed by the wasm backend that have not been released');
    return unpackPanels(packed.engine.arena.f32(packed.ptr, packed.length), packed.k, packed.n);
  }

  release(packed: PackedWeights): void {
    if (packed instanceof WasmWeights) packed.engine.release(packed);
  }

  packWeights(kernel: Float32Array, dims: { k: number; n: number }): PackedWeights {
    checkPack(kernel, dims);
    return this.engine.pack(kernel, dims.k, dims.n, dims.n, 1, 1);
  }

  weights(packed: unknown): WasmWeights {
    if (!this.owns(packed as PackedWeights)) throw new TypeError('Expected weights packed by this wasm backend for packedWeights');
    return packed as WasmWeights;
  }

  /** The rules of plan.ts, for these kernels and this backend's threads now. */
  target(): PlanTarget {
    const { parallelMacs, parallelReads, parallelActivations } = PLAN;
    return {
      mr: WASM_MR, packedMr: WASM_MR, threads: this.threads, parallelMacs: parallelMacs.wasm, parallelReads: parallelReads.wasm, parallelActivations: parallelActivations.wasm,
      tileBytes: this.engine.gemmSlotBytes, pointerBytes: 4, packA: false, splitK: true, indirectMinChannels: this.engine.simd ? PLAN.indirectMinChannels.wasm : Infinity,
    };
  }

  createOperator(step: Step): Operator {
    const parts = chainParts(step);
    return parts ? new ChainOperator(this, step, parts) : new WasmOperator(this, step);
  }

  createGraph(inputs: number, nodes: readonly GraphNode[], outputs: readonly number[]): Graph {
    return expandChains(inputs, nodes, outputs, (i, n, o) => new WasmGraph(this, i, n, o));
  }

  gemm(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Float32Array {
    return wasmGemm({ engine: this.engine, target: this.target() }, this.threads, a, b, c, p, true) as Float32Array;
  }

  gemmAsync(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Promise<Float32Array> {
    return wasmGemm({ engine: this.engine, target: this.target() }, this.threads, a, b, c, p, false) as Promise<Float32Array>;
  }

  /** The result is computed in module memory as gemm's is, then copied into out. */
  gemmInto(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, out: Float32Array): Float32Array {
    checkInto(out, p.m * p.n, [a, b, c]);
    out.set(this.gemm(a, b, c, p));
    return out;
  }
}
