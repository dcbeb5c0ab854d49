// The wasm backend: the AssemblyScript kernels (assembly/) behind the same contract as the
// native addon. Each op is planned here (tasks, segments, workspace) and run by an Engine
// (wasm-engine.ts): inputs are copied into the module's memory, one job runs there (on worker
// threads too when the memory is shared), and the output is copied out; packed weights stay in
// the module's memory for the layer's lifetime.
import type { Backend, Conv2DParams, DenseParams, GemmParams, KernelInfo, PackedWeights, WindowParams } from './backend';
import { PANEL_WIDTH as PANEL, unpackPanels } from './backend';
import { checkConv2D, checkDense, checkGemm, checkMaxPool2D, checkPack } from './check';
import { Engine, WasmWeights, type WasmPlatform, type WasmVariant, type WasmVariantName } from './wasm-engine';
import { MAX_TASKS, OP, type JobSpec } from './wasm-job';

export type { WasmPlatform, WasmVariant, WasmVariantName } from './wasm-engine';
const ROW_TILE = 4; // MR of the wasm micro-kernels
const SEGMENT_FLOATS = 64 * 1024; // im2col floats per participant, as in native
const POOL_PIXELS_PER_TASK = 256;
const GEMM_ROWS_PER_TASK = 64;
const GEMM_PANELS_PER_TASK = 4;
/** Below this many multiply-adds (or pooled reads) waking another thread costs more than it saves. */
const PARALLEL_WORK = 1 << 21;

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
