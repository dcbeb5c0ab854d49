// The wasm backend: the AssemblyScript kernels (assembly/) behind the same contract as the
// native addon. Inputs are copied into the module's memory, one job runs there (on worker
// threads too when the memory is shared), and the output is copied out; packed weights stay in
// the module's memory for the layer's lifetime.
import type { Backend, Conv2DParams, DenseParams, GemmParams, KernelInfo, PackedWeights, WindowParams } from './backend';
import { unpackPanels } from './backend';
import { checkConv2D, checkDense, checkGemm, checkMaxPool2D, checkPack } from './check';
import { Arena } from './wasm-arena';
import { JOB_BYTES, MAX_TASKS, OP, TASK_BITS, GENERATION_MASK, jobIndex, writeJob, type JobSpec } from './wasm-job';
import { CTRL, CTRL_BYTES, WORKER_SOURCE, waitAsyncWhileEqual, type WorkerData } from './wasm-threads';

export type WasmVariantName = 'simd-threads' | 'simd' | 'scalar';

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
  /** Keeps the process alive while an async job is in flight (Node: ref the workers). */
  keepAlive?: (on: boolean) => void;
  maxMemoryBytes: number;
}

interface Exports {
  heapBase(): number;
  run(job: number, generation: number): void;
  packWeights(k: number, n: number, b: number, rowStride: number, colStride: number, scale: number, out: number): void;
  TILE_SCRATCH_BYTES: WebAssembly.Global;
}

/** Packed weights held in one engine's memory; freed with release() or when collected. */
class WasmWeights implements PackedWeights {
  released = false;
  constructor(readonly engine: Engine, readonly ptr: number, readonly length: number, readonly k: number, readonly n: number) {}
}

const ROW_TILE = 4; // MR of the wasm micro-kernels
const PANEL = 16;
const SEGMENT_FLOATS = 64 * 1024; // im2col floats per participant, as in native
const POOL_PIXELS_PER_TASK = 256;
const GEMM_ROWS_PER_TASK = 64;
const GEMM_PANELS_PER_TASK = 4;
/** Below this many multiply-adds (or pooled reads) waking another thread costs more than it saves. */
const PARALLEL_WORK = 1 << 21;

/** One instantiated variant: its memory, arena, job slot and workers. */
class Engine {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  readonly arena: Arena;
  readonly jobPtr: number;
  private readonly ctrlPtr: number;
  private readonly tileScratch: number;
  private generation = 0;
  private workers = 0;
  /** Tasks of the job in flight, or 0. */
  private inFlight = 0;
  /** Calls between placing their buffers and finishing: packed weights are not freed meanwhile. */
  private busyCalls = 0;
  private deferred: number[] = [];
  private readonly finalizer = new FinalizationRegistry<number>((ptr) => this.releaseBlock(ptr));

  constructor(readonly platform: WasmPlatform, readonly variant: WasmVariant) {
    const maximum = Math.floor(platform.maxMemoryBytes / 65536);
    this.memory = new WebAssembly.Memory({ initial: 2, maximum, shared: variant.shared } as WebAssembly.MemoryDescriptor);
    this.exports = new WebAssembly.Instance(variant.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.arena = new Arena(this.memory, this.exports.heapBase(), maximum * 65536);
    this.ctrlPtr = this.arena.alloc(CTRL_BYTES);
    this.jobPtr = this.arena.alloc(JOB_BYTES);
    this.tileScratch = this.exports.TILE_SCRATCH_BYTES.value as number;
  }

  get threaded(): boolean {
    return this.variant.shared && this.platform.spawnWorker !== undefined;
  }

  private ctrl(): Int32Array {
    return new Int32Array(this.memory.buffer, this.ctrlPtr, CTRL_BYTES / 4);
  }

  /** Set once a kernel has trapped: its blocks may still be in use, so nothing runs again. */
  private fault: string | null = null;

  /** Throws if this engine has faulted, or if the job just finished did (a worker trapped). */
  private checkFault(): void {
    if (!this.fault && this.threaded && Atomics.load(this.ctrl(), CTRL.failed)) this.fault = 'a worker thread trapped';
    if (this.fault) throw new Error(`convkit wasm: the kernels failed (${this.fault}); this backend cannot be used any more in this process`);
  }

  /** Starts workers up to n (they become usable once they report ready). */
  ensureWorkers(n: number): void {
    if (!this.threaded) return;
    for (; this.workers < n; this.workers++) {
      this.platform.spawnWorker!(WORKER_SOURCE, {
        module: this.variant.module, memory: this.memory, ctrlPtr: this.ctrlPtr, jobPtr: this.jobPtr,
        doneOffset: jobIndex('done') * 4, index: this.workers, generation: Atomics.load(this.ctrl(), CTRL.generation),
      });
    }
  }

  readyWorkers(): number {
    return this.threaded ? Atomics.load(this.ctrl(), CTRL.ready) : 0;
  }

  pack(kernel: Float32Array, k: number, n: number, rowStride: number, colStride: number, scale: number): WasmWeights {
    const length = Math.ceil(n / PANEL) * PANEL * k;
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

  release(packed: WasmWeights): void {
    packed.released = true;
    if (this.finalizer.unregister(packed)) this.releaseBlock(packed.ptr);
  }

  private releaseBlock(ptr: number): void {
    if (this.busyCalls > 0) this.deferred.push(ptr);
    else this.arena.release(ptr);
  }

  /** Brackets a call that may read packed weights (possibly on workers, after awaits). */
  enter(): void {
    this.busyCalls++;
  }

  leave(): void {
    if (--this.busyCalls === 0) for (const ptr of this.deferred.splice(0)) this.arena.release(ptr);
  }

  /** Copies `data` into a new block. */
  put(data: Float32Array): number {
    const ptr = this.arena.alloc(data.length * 4);
    this.arena.f32(ptr, data.length).set(data);
    return ptr;
  }

  private doneCount(): number {
    return Atomics.load(this.arena.i32(), (this.jobPtr >> 2) + jobIndex('done'));
  }

  /** Whether a job is still in flight (checked now, synchronously). */
  private busy(): boolean {
    if (this.inFlight && this.doneCount() >= this.inFlight) this.inFlight = 0;
    return this.inFlight > 0;
  }

  /** Blocks until the job in flight (if any) has finished every task. */
  private waitIdleSync(): void {
    const mem = this.arena.i32(), at = (this.jobPtr >> 2) + jobIndex('done');
    while (this.busy()) {
      // A page's main thread may not block: it spins (only while a worker finishes a task).
      if (this.platform.canBlock) Atomics.wait(mem, at, Atomics.load(mem, at), 100);
    }
  }

  /**
   * Waits, without blocking, until the job of this generation has finished. A newer job being
   * in flight means it has: jobs are published only when idle.
   */
  private async waitDone(generation: number): Promise<void> {
    for (;;) {
      if ((this.generation & GENERATION_MASK) !== generation || !this.inFlight) return;
      const d = this.doneCount();
      if (d >= this.inFlight) {
        this.inFlight = 0;
        return;
      }
      await waitAsyncWhileEqual(this.arena.i32(), (this.jobPtr >> 2) + jobIndex('done'), d);
    }
  }

  /** Publishes a job for `helpers` workers (plus the caller, when it runs tasks itself). */
  private publish(spec: JobSpec, helpers: number): number {
    // Every job gets a new generation: a worker that wakes late for an earlier one finds no
    // task of its generation and goes back to sleep (takeTask in assembly/index.ts).
    this.generation = (this.generation + 1) | 0;
    const generation = this.generation & GENERATION_MASK;
    const mem = this.arena.i32();
    writeJob(mem, this.jobPtr, spec);
    Atomics.store(mem, (this.jobPtr >> 2) + jobIndex('next'), generation << TASK_BITS);
    this.inFlight = spec.tasks!;
    if (helpers > 0) {
      const ctrl = this.ctrl();
      Atomics.store(ctrl, CTRL.active, helpers);
      Atomics.store(ctrl, CTRL.generation, this.generation);
      Atomics.notify(ctrl, CTRL.generation);
    }
    return generation;
  }

  /** Runs a job on this thread and up to threads - 1 ready workers; returns when it is done. */
  runSync(spec: JobSpec, threads: number, slotBytes: number): void {
    this.checkFault();
    this.waitIdleSync();
    const helpers = Math.min(threads - 1, this.readyWorkers());
    const workspace = slotBytes ? this.arena.alloc(slotBytes * (helpers + 1)) : 0;
    const generation = this.publish({ ...spec, workspace, slotBytes }, helpers);
    try {
      this.exports.run(this.jobPtr, generation);
    } catch (e) {
      // Workers may still be using this job's blocks: keep them, and refuse all further work.
      this.fault = (e as Error).message;
      throw e;
    }
    this.waitIdleSync();
    if (workspace) this.arena.release(workspace);
    this.checkFault();
  }

  /** Runs a job on up to `threads` workers while the caller's event loop keeps turning. */
  async runAsync(spec: JobSpec, threads: number, slotBytes: number): Promise<void> {
    if (!this.threaded) return this.runSync(spec, threads, slotBytes);
    this.checkFault();
    this.platform.keepAlive?.(true);
    let workspace = 0;
    try {
      this.ensureWorkers(threads);
      const ctrl = this.ctrl();
      while (Atomics.load(ctrl, CTRL.ready) === 0) await waitAsyncWhileEqual(ctrl, CTRL.ready, 0);
      // The last check and the publish run in one synchronous stretch: no other call can
      // publish in between (every await is inside the loop).
      while (this.busy()) await this.waitDone(this.generation & GENERATION_MASK);
      const helpers = Math.min(threads, this.readyWorkers());
      workspace = slotBytes ? this.arena.alloc(slotBytes * (helpers + 1)) : 0;
      const generation = this.publish({ ...spec, workspace, slotBytes }, helpers);
      await this.waitDone(generation);
      this.checkFault();
    } finally {
      this.platform.keepAlive?.(false);
      if (workspace && !this.fault) this.arena.release(workspace);
    }
  }

  /** Per-participant workspace of a GEMM: the edge tile. */
  get gemmSlotBytes(): number {
    return this.tileScratch;
  }
}

/**
 * How a GEMM of m x n splits into tasks: blocks of rows by blocks of 16-column panels, small
 * enough that a few rows (a Dense batch) still give every thread some panels.
 */
function gemmTasks(m: number, n: number, threads: number): JobSpec {
  const panels = Math.ceil(n / PANEL);
  const rowsPerTask = Math.min(m, GEMM_ROWS_PER_TASK);
  const rowBlocks = Math.ceil(m / rowsPerTask);
  const panelsPerTask = Math.max(1, Math.min(GEMM_PANELS_PER_TASK, Math.floor(panels * rowBlocks / (2 * threads))));
  return { rowsPerTask, panelsPerTask, tasks: Math.ceil(m / rowsPerTask) * Math.ceil(panels / panelsPerTask) };
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  private engines = new Map<WasmVariantName, Engine>();
  private engine: Engine;
  private threads: number;

  constructor(private readonly platform: WasmPlatform, defaultThreads: number) {
    if (!platform.variants.length) throw new Error('this WebAssembly engine can run none of the convkit modules');
    this.engine = this.engineFor(platform.variants[0]);
    this.threads = this.engine.threaded ? Math.max(1, Math.min(defaultThreads, 64)) : 1;
    // Start the workers now: they are ready by the time a second thread is wanted.
    this.engine.ensureWorkers(this.threads);
  }

  private engineFor(v: WasmVariant): Engine {
    let e = this.engines.get(v.name);
    if (!e) this.engines.set(v.name, (e = new Engine(this.platform, v)));
    return e;
  }

  info(): KernelInfo {
    return { isa: `wasm-${this.engine.variant.name}`, isas: this.platform.variants.map((v) => `wasm-${v.name}`), threads: this.threads };
  }

  setNumThreads(n: number): void {
    this.threads = this.engine.threaded ? Math.max(1, Math.min(n, 64)) : 1;
    this.engine.ensureWorkers(this.threads);
  }

  selectIsa(isa: string): boolean {
    const v = this.platform.variants.find((x) => `wasm-${x.name}` === isa);
    if (!v) return false;
    this.engine = this.engineFor(v);
    this.setNumThreads(this.threads);
    return true;
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

  private weights(packed: PackedWeights): WasmWeights {
    if (!this.owns(packed)) throw new TypeError('Expected weights packed by this wasm backend for packedWeights');
    return packed as WasmWeights;
  }

  /**
   * Copies inputs in (so an async call has what it reads before it returns), runs the job, copies
   * the `outputs` floats out into a new array, frees the call's blocks.
   */
  private call(inputs: (Float32Array | null)[], outputs: number, slotBytes: number, work: number, spec: (ptrs: number[], yPtr: number) => JobSpec, sync: boolean): Float32Array | Promise<Float32Array> {
    const e = this.engine;
    // A small job runs on one thread: this one (sync) or one worker (async, to keep the loop free).
    const threads = work < PARALLEL_WORK ? 1 : this.threads;
    const blocks: number[] = [];
    e.enter();
    const free = () => {
      blocks.forEach((p) => e.arena.release(p));
      e.leave();
    };
    let handedOver = false; // to the async job, which frees the blocks when it settles
    try {
      const ptrs = inputs.map((a) => (a ? (blocks.push(e.put(a)), blocks[blocks.length - 1]) : 0));
      const yPtr = e.arena.alloc(outputs * 4);
      blocks.push(yPtr);
      const job = spec(ptrs, yPtr);
      const finish = () => e.arena.f32(yPtr, outputs).slice();
      if (sync) {
        e.runSync(job, threads, slotBytes);
        return finish();
      }
      const pending = e.runAsync(job, threads, slotBytes).then(finish).finally(free);
      handedOver = true;
      return pending;
    } finally {
      if (!handedOver) free();
    }
  }

  private conv(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams, sync: boolean) {
    checkConv2D(x, packed, bias, p);
    const w = this.weights(packed);
    const rows = p.n * p.oh * p.ow, k = p.kh * p.kw * p.c;
    const pointwise = p.kh === 1 && p.kw === 1 && p.sh === 1 && p.sw === 1 && p.pt + p.pb + p.pl + p.pr === 0;
    let seg = Math.max(ROW_TILE, Math.floor(SEGMENT_FLOATS / k / ROW_TILE) * ROW_TILE);
    if (Math.ceil(rows / seg) > MAX_TASKS) seg = Math.ceil(rows / MAX_TASKS / ROW_TILE) * ROW_TILE;
    seg = Math.min(seg, rows);
    const slotBytes = this.engine.gemmSlotBytes + (pointwise ? 0 : seg * k * 4);
    const spec = ([xp, bp]: number[], yp: number): JobSpec => ({
      op: OP.conv2d, tasks: Math.ceil(rows / seg), rowsPerTask: seg, x: xp, w: w.ptr, bias: bp, y: yp, activation: p.activation,
      n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
      pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow, oc: p.oc,
    });
    const work = rows * k * p.oc;
    return this.call([x, bias], rows * p.oc, slotBytes, work, spec, sync);
  }

  conv2d(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Float32Array {
    return this.conv(x, packed, bias, p, true) as Float32Array;
  }

  conv2dAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Promise<Float32Array> {
    return this.conv(x, packed, bias, p, false) as Promise<Float32Array>;
  }

  private pool(x: Float32Array, p: WindowParams, sync: boolean) {
    checkMaxPool2D(x, p);
    const pixels = p.n * p.oh * p.ow;
    const perTask = Math.max(POOL_PIXELS_PER_TASK, Math.ceil(pixels / MAX_TASKS));
    const spec = ([xp]: number[], yp: number): JobSpec => ({
      op: OP.maxpool2d, tasks: Math.ceil(pixels / perTask), rowsPerTask: perTask, x: xp, y: yp,
      n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
      pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow,
    });
    const work = pixels * p.kh * p.kw * p.c;
    const slotBytes = p.kh * p.kw * 4; // the window's tap pointers
    return this.call([x], pixels * p.c, slotBytes, work, spec, sync);
  }

  maxpool2d(x: Float32Array, p: WindowParams): Float32Array {
    return this.pool(x, p, true) as Float32Array;
  }

  maxpool2dAsync(x: Float32Array, p: WindowParams): Promise<Float32Array> {
    return this.pool(x, p, false) as Promise<Float32Array>;
  }

  private gemmJob(m: number, n: number, k: number, w: number, activation: number, accumulate: boolean) {
    return ([xp, bp]: number[], yp: number): JobSpec => ({
      op: OP.gemm, ...gemmTasks(m, n, this.threads), x: xp, lda: k, w, bias: bp ?? 0, y: yp, activation,
      m, k, cols: n, accumulate: accumulate ? 1 : 0,
    });
  }

  private fullyConnected(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams, sync: boolean) {
    checkDense(x, packed, bias, p);
    const spec = this.gemmJob(p.m, p.n, p.k, this.weights(packed).ptr, p.activation, false);
    const slot = this.engine.gemmSlotBytes;
    const work = p.m * p.n * p.k;
    return this.call([x, bias], p.m * p.n, slot, work, spec, sync);
  }

  dense(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Float32Array {
    return this.fullyConnected(x, packed, bias, p, true) as Float32Array;
  }

  denseAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Promise<Float32Array> {
    return this.fullyConnected(x, packed, bias, p, false) as Promise<Float32Array>;
  }

  /** ONNX Gemm: B packed with alpha folded in, A transposed in JS when asked, beta * C written into y first. */
  private general(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, sync: boolean) {
    checkGemm(a, b, c, p);
    const packed = this.engine.pack(b, p.k, p.n, p.transB ? 1 : p.n, p.transB ? p.k : 1, p.alpha);
    let rows = a;
    if (p.transA) {
      rows = new Float32Array(p.m * p.k);
      for (let i = 0; i < p.m; i++) for (let kk = 0; kk < p.k; kk++) rows[i * p.k + kk] = a[kk * p.m + i];
    }
    const accumulate = c !== null && p.beta !== 0;
    const inner = this.gemmJob(p.m, p.n, p.k, packed.ptr, p.activation, accumulate);
    const spec = (ptrs: number[], yp: number): JobSpec => {
      if (accumulate) {
        const y = this.engine.arena.f32(yp, p.m * p.n);
        for (let i = 0; i < p.m; i++)
          for (let j = 0; j < p.n; j++) y[i * p.n + j] = p.beta * c![(p.cRows === 1 ? 0 : i) * p.cCols + (p.cCols === 1 ? 0 : j)];
      }
      return inner([ptrs[0], 0], yp);
    };
    const release = () => this.engine.release(packed);
    try {
      const result = this.call([rows], p.m * p.n, this.engine.gemmSlotBytes, p.m * p.n * p.k, spec, sync);
      if (result instanceof Promise) return result.finally(release);
      release();
      return result;
    } catch (e) {
      release();
      throw e;
    }
  }

  gemm(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Float32Array {
    return this.general(a, b, c, p, true) as Float32Array;
  }

  gemmAsync(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): Promise<Float32Array> {
    return this.general(a, b, c, p, false) as Promise<Float32Array>;
  }
}
