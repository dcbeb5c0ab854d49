// One instantiated wasm module's memory and what lives in it: the arena, packed weights and the
// caches kept with them (indirection buffers, the zero vector), resident arrays, and blocks
// whose freeing waits for the calls in flight. The Engine (wasm-engine.ts) adds the job slot,
// the workers and the fault state that run jobs in it.
import { WASM_BUILDS } from '../generated/kernels';
import type { PackedWeights } from './backend';
import { packedWeightsLength } from './backend';
import { Arena } from './wasm-arena';
import { JOB_BYTES, type JobSpec } from './wasm-job';
import type { WorkerData } from './wasm-threads';

export type WasmVariantName = (typeof WASM_BUILDS)[number]['name'];

export interface WasmVariant {
  name: WasmVariantName;
  module: WebAssembly.Module;
  /** The module imports a shared memory and its kernels can run on several threads. */
  shared: boolean;
}

/** What differs between Node and browsers. */
export interface WasmPlatform {
  /** Variants this engine can run, best first. */
  variants: WasmVariant[];
  /** Whether this thread may block in Atomics.wait (Node's main thread may; a page's may not). */
  canBlock: boolean;
  /** Starts a worker running WORKER_SOURCE with this data; absent where there are no workers. */
  spawnWorker?: (source: string, data: WorkerData) => void;
  /**
   * A new array of `length` floats the caller fills at once (Node: not zeroed first); absent:
   * new Float32Array(length). Either way it owns its own ArrayBuffer of exactly that size.
   */
  newOutput?: (length: number) => Float32Array;
  /** Keeps the process alive while an async job is in flight (Node: ref the workers). */
  keepAlive?: (on: boolean) => void;
  maxMemoryBytes: number;
}

export interface Exports {
  heapBase(): number;
  jobBytes(): number;
  simd(): number;
  run(job: number, generation: number): void;
  packWeights(k: number, n: number, b: number, rowStride: number, colStride: number, scale: number, out: number): void;
  TILE_SCRATCH_BYTES: WebAssembly.Global;
}

/** Resident arrays that were released, of any engine: their memory may hold anything now. */
const releasedResidents = new WeakSet<Float32Array>();

/** Packed weights held in one engine's memory; freed with release() or when collected. */
export class WasmWeights implements PackedWeights {
  released = false;
  /** The indirection buffer of the last convolution these weights ran (ModuleMemory.indirection). */
  indirection: KeptIndirection | null = null;
  constructor(readonly engine: ModuleMemory, readonly ptr: number, readonly length: number, readonly k: number, readonly n: number) {}
}

/** A block of row pointers and what it was built for (the call's geometry and addresses). */
interface KeptIndirection {
  ptr: number;
  key: number[];
  /** The unregister token of its finalizer entry (the weights' own entry frees the weights). */
  token: object;
  /** A job that wrote it has finished. */
  built: boolean;
}

/** One instantiated variant's memory, arena and the long-lived blocks in it. */
export class ModuleMemory {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  readonly arena: Arena;
  /** Calls between placing their buffers and finishing: packed weights are not freed meanwhile. */
  private busyCalls = 0;
  private deferred: number[] = [];
  /** Kept indirection buffers whose builder job has not finished yet, by block. */
  private readonly building = new Map<number, KeptIndirection>();
  private zeroPtr = 0;
  private zeroFloats = 0;
  private readonly finalizer = new FinalizationRegistry<number>((ptr) => this.releaseBlock(ptr));
  /** Resident arrays (views of this memory that calls read in place) and their blocks. */
  private readonly residents = new WeakMap<Float32Array, number>();

  constructor(readonly platform: WasmPlatform, readonly variant: WasmVariant) {
    const maximum = Math.floor(platform.maxMemoryBytes / 65536);
    this.memory = new WebAssembly.Memory({ initial: 2, maximum, shared: variant.shared } as WebAssembly.MemoryDescriptor);
    this.exports = new WebAssembly.Instance(variant.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    // A module built from another kernels.json would read every job wrong (and could wait forever).
    if (this.exports.jobBytes() !== JOB_BYTES) {
      throw new Error(`convkit wasm: dist/wasm/convkit-${variant.name}.wasm has a ${this.exports.jobBytes()}-byte job where this code writes ${JOB_BYTES}; rebuild with \`npm run build\``);
    }
    this.arena = new Arena(this.memory, this.exports.heapBase(), maximum * 65536);
  }

  pack(kernel: Float32Array, k: number, n: number, rowStride: number, colStride: number, scale: number): WasmWeights {
    const length = packedWeightsLength(k, n);
    const ptr = this.arena.alloc(length * 4);
    const src = this.arena.alloc(kernel.length * 4);
    try {
      this.arena.f32(src, kernel.length).set(kernel);
      this.exports.packWeights(k, n, src, rowStride, colStride, scale, ptr);
    } finally {
      this.arena.release(src);
    }
    const packed = new WasmWeights(this, ptr, length, k, n);
    this.finalizer.register(packed, ptr, packed);
    return packed;
  }

  /** A copy of data in a block kept for owner's lifetime: freed by drop(owner, ptr) or when owner is collected. */
  hold(owner: object, data: Float32Array): number {
    const ptr = this.put(data);
    this.finalizer.register(owner, ptr, owner);
    return ptr;
  }

  /** Frees what hold(owner, ...) kept (after the calls in flight). */
  drop(owner: object, ptr: number): void {
    if (this.finalizer.unregister(owner)) this.releaseBlock(ptr);
  }

  release(packed: WasmWeights): void {
    packed.released = true;
    this.dropIndirection(packed);
    if (this.finalizer.unregister(packed)) this.releaseBlock(packed.ptr);
  }

  /**
   * The indirection buffer kept with `weights` for a convolution of this key (its geometry, input
   * and zero-vector addresses) and `bytes` of row pointers: { ptr, built: 1 } when the kept one
   * was built for the same key, else a new block (built: 0; the job's tasks fill it) replacing
   * it. As native keeps one with its weights (ops/indirection-cache.h): C2 spent a tenth of its
   * time building it.
   */
  indirection(weights: WasmWeights, key: number[], bytes: number): { ptr: number; built: number } {
    const kept = weights.indirection;
    // Built only once a job that wrote it has finished: jobs of calls in flight run in no fixed
    // order, so a call that comes before the builder has run builds it again (the same values).
    if (kept && kept.key.length === key.length && kept.key.every((v, i) => v === key[i])) return { ptr: kept.ptr, built: kept.built ? 1 : 0 };
    this.dropIndirection(weights);
    const ptr = this.arena.alloc(bytes), token = {};
    weights.indirection = { ptr, key, token, built: false };
    this.building.set(ptr, weights.indirection);
    this.finalizer.register(weights, ptr, token);
    return { ptr, built: 0 };
  }

  private dropIndirection(weights: WasmWeights): void {
    const kept = weights.indirection;
    weights.indirection = null;
    if (!kept) return;
    this.building.delete(kept.ptr);
    if (this.finalizer.unregister(kept.token)) this.releaseBlock(kept.ptr);
  }

  /** After a job has finished: a kept indirection buffer it wrote is built from now on. */
  protected finished(spec: JobSpec): void {
    if (!spec.indirection || spec.indirectionBuilt) return;
    const kept = this.building.get(spec.indirection);
    if (!kept) return;
    kept.built = true;
    this.building.delete(spec.indirection);
  }

  private releaseBlock(ptr: number): void {
    if (this.busyCalls > 0) this.deferred.push(ptr);
    else this.arena.release(ptr);
  }

  /**
   * A block of at least n zero floats that jobs read and never write (the padding taps of an
   * indirect convolution), kept and grown as calls need it.
   */
  zeros(n: number): number {
    if (this.zeroFloats < n) {
      if (this.zeroPtr) this.releaseBlock(this.zeroPtr);
      this.zeroPtr = this.arena.alloc(n * 4);
      this.zeroFloats = n;
      this.arena.f32(this.zeroPtr, n).fill(0);
    }
    return this.zeroPtr;
  }

  /** Brackets a call that may read packed weights (possibly on workers, after awaits). */
  enter(): void {
    this.busyCalls++;
  }

  leave(): void {
    if (--this.busyCalls === 0) for (const ptr of this.deferred.splice(0)) this.arena.release(ptr);
  }

  /**
   * A copy of `data` in a block of its own, as a view of this memory that calls read in place
   * (no copy in) until releaseResident or collection; null where the memory is not shared: its
   * growth would detach the view.
   */
  adopt(data: Float32Array): Float32Array | null {
    if (!this.variant.shared) return null;
    const ptr = this.put(data);
    const view = this.arena.f32(ptr, data.length);
    this.residents.set(view, ptr);
    this.finalizer.register(view, ptr, view);
    return view;
  }

  /** Frees a resident array's block (after the calls in flight); false if x is not one. */
  releaseResident(x: Float32Array): boolean {
    const ptr = this.residents.get(x);
    if (ptr === undefined) return false;
    this.residents.delete(x);
    releasedResidents.add(x);
    if (this.finalizer.unregister(x)) this.releaseBlock(ptr);
    return true;
  }

  /** The block of a resident array x, or undefined for any other array. */
  residentPtr(x: Float32Array): number | undefined {
    if (releasedResidents.has(x)) throw new TypeError('Expected a tensor that has not been released (releaseTensor) but received a released one');
    return this.residents.get(x);
  }

  /** Copies `data` into a new block. */
  put(data: Float32Array): number {
    const ptr = this.arena.alloc(data.length * 4);
    this.arena.f32(ptr, data.length).set(data);
    return ptr;
  }

  /**
   * A copy of `length` floats at ptr in a new array: allocated, then set. Not slice(): on a
   * view of shared memory V8 copies word by word (C4's 12.8 MB output: 1.8 ms by slice, 1.2 ms
   * by new and set), and in Node the new array need not be zeroed before it is overwritten.
   */
  copyOut(ptr: number, length: number, out = this.newOutput(length)): Float32Array {
    out.set(this.arena.f32(ptr, length));
    return out;
  }

  newOutput(length: number): Float32Array {
    return this.platform.newOutput?.(length) ?? new Float32Array(length);
  }
}
