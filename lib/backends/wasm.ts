// The wasm backend: the AssemblyScript kernels (assembly/) behind the same contract as the
// native addon. Each op is planned once (plan.ts, the rules native/ops/plan.cc follows too),
// the plan is written into a job and run by an Engine (wasm-engine.ts): inputs are copied into
// the module's memory, the job runs there (on worker threads too when the memory is shared), and
// the output is copied out; packed weights stay in the module's memory for the layer's lifetime.
import type { Backend, Conv2DParams, DenseParams, GemmParams, KernelInfo, PackedWeights, Step, WindowParams } from './backend';
import { unpackPanels } from './backend';
import { checkConv2D, checkDense, checkGemm, checkInto, checkMaxPool2D, checkPack } from './check';
import { ACTIVATION, PATH, PLAN, WASM_MR } from '../generated/kernels';
import { planActivation, planConv2D, planGemm, planMaxPool2D, type Plan, type PlannedOp, type PlanTarget } from './plan';
import { Engine, WasmWeights, type WasmPlatform, type WasmVariant, type WasmVariantName } from './wasm-engine';
import { OP, type JobSpec } from './wasm-job';
import { wasmGrads } from './wasm-grad';

export type { WasmPlatform, WasmVariant, WasmVariantName } from './wasm-engine';

/** One op call planned and checked, minus the placement of its blocks. */
interface OpJob {
  /** Inputs after x, copied in with it (null: absent, pointer 0). */
  extra: (Float32Array | null)[];
  outputs: number;
  plan: Plan;
  /** The job for x and the extra inputs at ptrs (x first), writing y at yPtr. */
  spec: (ptrs: number[], yPtr: number) => JobSpec;
  /** Sigmoid, tanh or softmax: a second job over y once the first has finished (null: none). */
  activation: ActivationJob | null;
}

/** An activation pass over a finished rows x cols output, in place (assembly/ops/activation.ts). */
interface ActivationJob {
  plan: Plan;
  spec: (yPtr: number) => JobSpec;
}

/** The plan's fields set on the op's fresh job object (a spread costs microseconds). */
function withPlan(job: JobSpec, plan: Plan): JobSpec {
  job.path = plan.path;
  job.tasks = plan.tasks;
  job.rowsPerTask = plan.rowsPerTask;
  job.panelsPerTask = plan.panelsPerTask;
  job.kBlock = plan.kBlock;
  job.kSplits = plan.kSplits;
  job.kChunk = plan.kChunk;
  return job;
}

/** A job and what Engine.runSync / runAsync need to run it: threads, slot and shared workspace bytes. */
type PlannedJob = [JobSpec, number, number, number];

const plannedJob = (job: JobSpec, plan: Plan): PlannedJob => [withPlan(job, plan), plan.threads, plan.slotBytes, plan.sharedBytes];

/** The op's jobs for x and its extra inputs at ptrs (x first), writing y at yPtr, with their plans. */
function planned(op: OpJob, ptrs: number[], yPtr: number): PlannedJob[] {
  const jobs = [plannedJob(op.spec(ptrs, yPtr), op.plan)];
  const a = op.activation;
  if (a) jobs.push(plannedJob(a.spec(yPtr), a.plan));
  return jobs;
}

/** The code the GEMM epilogue applies: relu's clamp, or linear for every other activation. */
function epilogue(activation: number): number {
  return activation === ACTIVATION.relu ? ACTIVATION.relu : ACTIVATION.linear;
}

/** The backward methods (wasm-grad.ts), set on each instance by the constructor. */
export interface WasmBackend extends ReturnType<typeof wasmGrads> {}

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
    Object.assign(this, wasmGrads({
      engine: () => this.engine, target: () => this.target(), planned: plannedJob,
      forward: (s, x) => {
        const op = this.stepJob(s, x);
        return { extra: op.extra, jobs: (ptrs, yPtr) => planned(op, ptrs, yPtr) };
      },
    }));
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
  }

  selectIsa(isa: string): boolean {
    const v = this.platform.variants.find((x) => `wasm-${x.name}` === isa);
    if (!v) return false;
    this.engine = this.engineFor(v);
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

  private weights(packed: PackedWeights): WasmWeights {
    if (!this.owns(packed)) throw new TypeError('Expected weights packed by this wasm backend for packedWeights');
    return packed as WasmWeights;
  }

  /** The rules of plan.ts, for these kernels and this backend's threads now. */
  private target(): PlanTarget {
    const { parallelMacs, parallelReads, parallelActivations } = PLAN;
    return {
      mr: WASM_MR, packedMr: WASM_MR, threads: this.threads, parallelMacs: parallelMacs.wasm, parallelReads: parallelReads.wasm, parallelActivations: parallelActivations.wasm,
      tileBytes: this.engine.gemmSlotBytes, pointerBytes: 4, packA: false, splitK: true, indirectMinChannels: this.engine.simd ? PLAN.indirectMinChannels.wasm : Infinity, winograd: null,
    };
  }

  /**
   * The plan a call with these params would run now (a test hook, as NativeBackend.plan):
   * conv2d and maxpool2d take the backend's params, gemm { m, n, k }, activation { rows, cols }.
   */
  plan(op: PlannedOp, params: object): Plan {
    const t = this.target(), p = params as Conv2DParams & WindowParams & { m: number; n: number; k: number; rows: number; cols: number };
    if (op === 'conv2d') return planConv2D(p, t);
    if (op === 'maxpool2d') return planMaxPool2D(p, t);
    if (op === 'gemm') return planGemm(p.m, p.n, p.k, t);
    if (op === 'activation') return planActivation(p.rows, p.cols, t);
    throw new TypeError(`Expected 'conv2d', 'maxpool2d', 'gemm' or 'activation' for op but received ${String(op)} of type ${typeof op}`);
  }

  /**
   * The activation pass after a GEMM over rows x cols outputs, for sigmoid, tanh and softmax;
   * null for linear and relu (the GEMM's epilogue clamps).
   */
  private activationJob(activation: number, rows: number, cols: number): ActivationJob | null {
    if (activation === ACTIVATION.linear || activation === ACTIVATION.relu) return null;
    const plan = planActivation(rows, cols, this.target());
    return { plan, spec: (yp) => ({ op: OP.activation, y: yp, activation, m: rows, cols }) };
  }

  /**
   * Copies x and the op's other inputs in (so an async call has what it reads before it
   * returns), runs the planned jobs one after another, copies the `outputs` floats out into a new
   * array, frees the call's blocks.
   */
  private call(x: Float32Array, op: OpJob, sync: boolean): Float32Array | Promise<Float32Array> {
    const e = this.engine;
    const blocks: number[] = [];
    e.enter();
    const free = () => {
      blocks.forEach((p) => e.arena.release(p));
      e.leave();
    };
    let handedOver = false; // to the async job, which frees the blocks when it settles
    try {
      const place = (a: Float32Array) => (blocks.push(e.put(a)), blocks[blocks.length - 1]);
      const ptrs = [e.residentPtr(x) ?? place(x), ...op.extra.map((a) => (a ? place(a) : 0))];
      const yPtr = e.arena.alloc(op.outputs * 4);
      blocks.push(yPtr);
      const jobs = planned(op, ptrs, yPtr);
      const finish = () => e.copyOut(yPtr, op.outputs);
      // A one-thread plan runs on this thread (sync) or on one worker (async: the loop stays free).
      if (sync) {
        if (op.outputs * 4 >= PLAN.prefaultOutputBytes && this.threads > 1 && e.threaded) return this.runPrefaulting(jobs, yPtr, op.outputs);
        for (const job of jobs) e.runSync(...job);
        return finish();
      }
      const run = async () => {
        for (const job of jobs) await e.runAsync(...job);
        return finish();
      };
      const pending = run().finally(free);
      handedOver = true;
      return pending;
    } finally {
      if (!handedOver) free();
    }
  }

  /**
   * The jobs of a call with a large output and a second thread to hand: a worker starts on the
   * last job's tasks while this thread faults in the new output array's pages (PLAN.prefaultComment),
   * then joins it; the copy out then meets no fresh page.
   */
  private runPrefaulting(jobs: PlannedJob[], yPtr: number, length: number): Float32Array {
    const e = this.engine;
    const out = e.newOutput(length);
    const touch = (helpers: number) => {
      if (helpers > 0) for (let i = 0; i < length; i += 1024) out[i] = 0;
    };
    jobs.forEach(([spec, threads, slotBytes, sharedBytes], i) => {
      if (i < jobs.length - 1) e.runSync(spec, threads, slotBytes, sharedBytes);
      else e.runSync(spec, Math.max(2, threads), slotBytes, sharedBytes, touch);
    });
    return e.copyOut(yPtr, length, out);
  }

  /** x is the input array, or in a chain the length of the previous step's output. */
  private convJob(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): OpJob {
    checkConv2D(x, packed, bias, p);
    const w = this.weights(packed);
    const plan = planConv2D(p, this.target());
    const k = p.kh * p.kw * p.c;
    const pointers = plan.path === PATH.indirectGemm ? Math.ceil(plan.rows / WASM_MR) * WASM_MR * p.kh * p.kw : 0;
    const spec = ([xp, bp]: number[], yp: number): JobSpec => {
      const job: JobSpec = {
        op: OP.conv2d, x: xp, w: w.ptr, bias: bp, y: yp, activation: epilogue(p.activation), m: plan.rows, k, lda: k, cols: p.oc,
        n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
        pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow, oc: p.oc,
      };
      if (pointers) {
        job.zeros = this.engine.zeros(p.c);
        if (pointers <= PLAN.keptIndirectionPointers) {
          // Kept for this geometry, input and zero vector (Engine.indirection).
          const key = [xp, job.zeros, p.n, p.h, p.w, p.c, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pb, p.pl, p.pr];
          const kept = this.engine.indirection(w, key, pointers * 4);
          job.indirection = kept.ptr;
          job.indirectionBuilt = kept.built;
        }
      }
      return job;
    };
    return { extra: [bias], outputs: plan.rows * p.oc, plan, spec, activation: this.activationJob(p.activation, plan.rows, p.oc) };
  }

  conv2d(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Float32Array {
    return this.call(x, this.convJob(x, packed, bias, p), true) as Float32Array;
  }

  conv2dAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): Promise<Float32Array> {
    return this.call(x, this.convJob(x, packed, bias, p), false) as Promise<Float32Array>;
  }

  private poolJob(x: Float32Array | number, p: WindowParams): OpJob {
    checkMaxPool2D(x, p);
    const plan = planMaxPool2D(p, this.target());
    const spec = ([xp]: number[], yp: number): JobSpec => ({
      op: OP.maxpool2d, x: xp, y: yp,
      n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
      pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow,
    });
    return { extra: [], outputs: plan.rows * p.c, plan, spec, activation: null };
  }

  maxpool2d(x: Float32Array, p: WindowParams): Float32Array {
    const op = this.poolJob(x, p);
    // A resident input is read in place: there is no copy to pool behind.
    const copied = this.engine.residentPtr(x) === undefined;
    if (copied && op.plan.threads === 1 && x.length * 4 > 2 * PLAN.poolBandBytes) return this.poolInBands(x, p, op);
    return this.call(x, op, true) as Float32Array;
  }

  /**
   * A one-thread max-pool over a large input, band by band: the input rows that a run of output
   * rows reads are copied into one reused block and pooled at once, while they are still in
   * cache (copying the whole input first sends it to memory and the kernel reads it back). Each
   * band is the op's job on a shorter image: its first row is input row iyA, so its top padding
   * is what remains above it. Same kernel, same taps in the same order: the same bits.
   */
  private poolInBands(x: Float32Array, p: WindowParams, op: OpJob): Float32Array {
    const e = this.engine, rowFloats = p.w * p.c, spanY = (p.kh - 1) * p.dh;
    const rowsPerBand = Math.floor(PLAN.poolBandBytes / 4 / rowFloats);
    const outRows = Math.min(p.oh, Math.max(1, Math.floor((rowsPerBand - spanY - 1) / p.sh) + 1));
    const bandFloats = ((outRows - 1) * p.sh + spanY + 1) * rowFloats;
    const yFloats = p.ow * p.c, pixelsPerTask = op.plan.rowsPerTask;
    const blocks: number[] = [];
    e.enter();
    try {
      const band = e.arena.alloc(bandFloats * 4);
      blocks.push(band);
      const yPtr = e.arena.alloc(op.outputs * 4);
      blocks.push(yPtr);
      for (let b = 0; b < p.n; b++) {
        for (let oy0 = 0; oy0 < p.oh; oy0 += outRows) {
          const oy1 = Math.min(p.oh, oy0 + outRows);
          const iyA = Math.max(0, oy0 * p.sh - p.pt), iyB = Math.min(p.h, (oy1 - 1) * p.sh - p.pt + spanY + 1);
          const at = (b * p.h + iyA) * rowFloats;
          e.arena.f32(band, (iyB - iyA) * rowFloats).set(x.subarray(at, at + (iyB - iyA) * rowFloats));
          const job = op.spec([band], yPtr + (b * p.oh + oy0) * yFloats * 4);
          job.n = 1;
          job.h = iyB - iyA;
          job.pt = p.pt + iyA - oy0 * p.sh;
          job.oh = oy1 - oy0;
          job.path = op.plan.path;
          job.rowsPerTask = pixelsPerTask;
          job.tasks = Math.ceil(job.oh * p.ow / pixelsPerTask);
          e.runSync(job, 1, op.plan.slotBytes);
        }
      }
      return e.copyOut(yPtr, op.outputs);
    } finally {
      blocks.forEach((ptr) => e.arena.release(ptr));
      e.leave();
    }
  }

  maxpool2dAsync(x: Float32Array, p: WindowParams): Promise<Float32Array> {
    return this.call(x, this.poolJob(x, p), false) as Promise<Float32Array>;
  }

  /** The job of a packed GEMM (assembly/ops/matmul.ts): y[m x n] (+)= x[m x k] * w. */
  private matmulJob(m: number, n: number, k: number, w: number, activation: number, accumulate: boolean) {
    return ([xp, bp]: number[], yp: number): JobSpec => ({
      op: OP.gemm, x: xp, lda: k, w, bias: bp ?? 0, y: yp, activation, m, k, cols: n, accumulate: accumulate ? 1 : 0,
    });
  }

  private denseJob(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): OpJob {
    checkDense(x, packed, bias, p);
    const spec = this.matmulJob(p.m, p.n, p.k, this.weights(packed).ptr, epilogue(p.activation), false);
    return { extra: [bias], outputs: p.m * p.n, plan: planGemm(p.m, p.n, p.k, this.target()), spec, activation: this.activationJob(p.activation, p.m, p.n) };
  }

  dense(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Float32Array {
    return this.call(x, this.denseJob(x, packed, bias, p), true) as Float32Array;
  }

  denseAsync(x: Float32Array, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): Promise<Float32Array> {
    return this.call(x, this.denseJob(x, packed, bias, p), false) as Promise<Float32Array>;
  }

  private stepJob(s: Step, x: Float32Array | number): OpJob {
    if (s.op === 'conv2d') return this.convJob(x, s.packed, s.bias, s.params);
    if (s.op === 'maxpool2d') return this.poolJob(x, s.params);
    if (s.op === 'dense') return this.denseJob(x, s.packed, s.bias, s.params);
    throw new TypeError(`Expected 'conv2d', 'maxpool2d' or 'dense' for the op of a step but received ${String((s as { op: unknown }).op)}`);
  }

  /**
   * The chain with its intermediates in the module's memory (two blocks, in turn), as the jobs to
   * run in order: every step is checked and planned and x and the biases are copied in before the
   * first job is handed out, and packed weights released meanwhile stay allocated until the chain
   * ends (Engine.enter). The caller runs each job (sync or on the workers) and resumes the chain;
   * the last resumption copies the output out. Blocks are freed when it ends or is ended early.
   */
  private *chain(x: Float32Array, steps: readonly Step[]): Generator<PlannedJob, Float32Array, void> {
    let inputs: Float32Array | number = x;
    const ops = steps.map((s) => {
      const op = this.stepJob(s, inputs);
      inputs = op.outputs;
      return op;
    });
    if (!ops.length) throw new RangeError('Expected at least one step');
    const e = this.engine;
    const blocks: number[] = [];
    const keep = (ptr: number) => (blocks.push(ptr), ptr);
    e.enter();
    try {
      const xPtr = e.residentPtr(x) ?? keep(e.put(x));
      const extras = ops.map((op) => op.extra.map((a) => (a ? keep(e.put(a)) : 0)));
      const most = Math.max(...ops.map((op) => op.outputs));
      const buffers = [keep(e.arena.alloc(most * 4)), ops.length > 1 ? keep(e.arena.alloc(most * 4)) : 0];
      let inPtr = xPtr;
      for (let i = 0; i < ops.length; i++) {
        yield* planned(ops[i], [inPtr, ...extras[i]], buffers[i % 2]);
        inPtr = buffers[i % 2];
      }
      return e.copyOut(inPtr, ops[ops.length - 1].outputs);
    } finally {
      blocks.forEach((p) => e.arena.release(p));
      e.leave();
    }
  }

  /** The chain on this thread (and the workers its plans ask for): one copy in, one copy out. */
  sequential(x: Float32Array, steps: readonly Step[]): Float32Array {
    const jobs = this.chain(x, steps);
    for (let r = jobs.next(); ; ) {
      if (r.done) return r.value;
      try {
        this.engine.runSync(...r.value);
      } catch (e) {
        jobs.return(undefined as never);
        throw e;
      }
      r = jobs.next();
    }
  }

  /** The chain on the workers: between steps this thread only publishes the next job. */
  async sequentialAsync(x: Float32Array, steps: readonly Step[]): Promise<Float32Array> {
    const jobs = this.chain(x, steps);
    for (let r = jobs.next(); ; ) {
      if (r.done) return r.value;
      try {
        await this.engine.runAsync(...r.value);
      } catch (e) {
        jobs.return(undefined as never);
        throw e;
      }
      r = jobs.next();
    }
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
    const inner = this.matmulJob(p.m, p.n, p.k, packed.ptr, epilogue(p.activation), accumulate);
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
      const op: OpJob = { extra: [], outputs: p.m * p.n, plan: planGemm(p.m, p.n, p.k, this.target()), spec, activation: this.activationJob(p.activation, p.m, p.n) };
      const result = this.call(rows, op, sync);
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

  /** The result is computed in module memory as gemm's is, then copied into out. */
  gemmInto(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, out: Float32Array): Float32Array {
    checkInto(out, p.m * p.n, [a, b, c]);
    out.set(this.gemm(a, b, c, p));
    return out;
  }
}
