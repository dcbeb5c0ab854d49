// One instantiated wasm module running jobs: its memory (wasm-memory.ts), the job slot it
// publishes work through, its worker threads and its fault state. wasm.ts and wasm-graph.ts plan
// each op and adapt it to the backend contract; this file runs jobs.
import { CTRL, CTRL_BYTES, WORKER_SOURCE, waitAsyncWhileEqual } from './wasm-threads';
import { DONE, JOB_BYTES, NEXT, TASK_BITS, GENERATION_MASK, jobIndex, writeJob, type JobSpec } from './wasm-job';
import { ModuleMemory, type WasmPlatform, type WasmVariant } from './wasm-memory';

export { WasmWeights, type WasmPlatform, type WasmVariant, type WasmVariantName } from './wasm-memory';

/**
 * The job with its workspace placed: a slot per participant, then the shared part (set on the
 * caller's fresh object: spreading costs microseconds).
 */
function withWorkspace(spec: JobSpec, workspace: number, slotBytes: number, participants: number, sharedBytes: number): JobSpec {
  spec.workspace = workspace;
  spec.slotBytes = slotBytes;
  spec.shared = sharedBytes ? workspace + slotBytes * participants : 0;
  return spec;
}

/** The workspace of a job: slotBytes for each participant and sharedBytes for them all. */
const workspaceBytes = (slotBytes: number, participants: number, sharedBytes: number) => slotBytes * participants + sharedBytes;

/** One instantiated variant: its memory (ModuleMemory), job slot and workers. */
export class Engine extends ModuleMemory {
  readonly jobPtr: number;
  private readonly ctrlPtr: number;
  private readonly tileScratch: number;
  /** The build has SIMD kernels, and with them the indirect GEMM. */
  readonly simd: boolean;
  private generation = 0;
  private workers = 0;
  /** Tasks of the job in flight, or 0. */
  private inFlight = 0;

  constructor(platform: WasmPlatform, variant: WasmVariant) {
    super(platform, variant);
    this.ctrlPtr = this.arena.alloc(CTRL_BYTES);
    this.jobPtr = this.arena.alloc(JOB_BYTES);
    this.tileScratch = this.exports.TILE_SCRATCH_BYTES.value as number;
    this.simd = this.exports.simd() !== 0;
  }

  get threaded(): boolean {
    return this.variant.shared && this.platform.spawnWorker !== undefined;
  }

  private ctrlView: Int32Array | null = null;

  private ctrl(): Int32Array {
    const buffer = this.memory.buffer;
    if (this.ctrlView?.buffer !== buffer) this.ctrlView = new Int32Array(buffer, this.ctrlPtr, CTRL_BYTES / 4);
    return this.ctrlView;
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

  private doneCount(): number {
    return Atomics.load(this.arena.i32(), (this.jobPtr >> 2) + DONE);
  }

  /** Whether a job is still in flight (checked now, synchronously). */
  private busy(): boolean {
    if (this.inFlight && this.doneCount() >= this.inFlight) this.inFlight = 0;
    return this.inFlight > 0;
  }

  /** Blocks until the job in flight (if any) has finished every task. */
  private waitIdleSync(): void {
    const mem = this.arena.i32(), at = (this.jobPtr >> 2) + DONE;
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
      await waitAsyncWhileEqual(this.arena.i32(), (this.jobPtr >> 2) + DONE, d);
    }
  }

  /** Publishes a job for `helpers` workers (plus the caller, when it runs tasks itself). */
  private publish(spec: JobSpec, helpers: number): number {
    // Every job gets a new generation: a worker that wakes late for an earlier one finds no
    // task of its generation and goes back to sleep (takeTask in assembly/index.ts).
    this.generation = (this.generation + 1) | 0;
    const generation = this.generation & GENERATION_MASK;
    const mem = this.arena.i32();
    // The new generation goes into Job.next before any other field changes: a worker still
    // leaving the last job (its last task counted, its next takeTask not yet made) must find the
    // generation moved on, not take a task of the last one with fields half rewritten. Writing
    // next last let a descheduled worker run a task on a torn job (a trap in the soak under load).
    spec.next = generation << TASK_BITS;
    Atomics.store(mem, (this.jobPtr >> 2) + NEXT, spec.next);
    writeJob(mem, this.jobPtr, spec);
    this.inFlight = spec.tasks!;
    if (helpers > 0) {
      const ctrl = this.ctrl();
      Atomics.store(ctrl, CTRL.active, helpers);
      Atomics.store(ctrl, CTRL.generation, this.generation);
      Atomics.notify(ctrl, CTRL.generation);
    }
    return generation;
  }

  /**
   * Runs a job on this thread and up to threads - 1 ready workers; returns when it is done.
   * slotBytes: each participant's workspace; sharedBytes: the workspace they share (the plan's).
   */
  runSync(spec: JobSpec, threads: number, slotBytes: number, sharedBytes = 0, meanwhile?: (helpers: number) => void): void {
    this.checkFault();
    this.waitIdleSync();
    const helpers = Math.min(threads - 1, this.readyWorkers());
    const bytes = workspaceBytes(slotBytes, helpers + 1, sharedBytes);
    const workspace = bytes ? this.arena.alloc(bytes) : 0;
    const generation = this.publish(withWorkspace(spec, workspace, slotBytes, helpers + 1, sharedBytes), helpers);
    try {
      // The caller's own work while the workers start on the tasks; it takes what is left after.
      meanwhile?.(helpers);
      this.exports.run(this.jobPtr, generation);
    } catch (e) {
      // Workers may still be using this job's blocks: keep them, and refuse all further work.
      this.fault = (e as Error).message;
      throw e;
    }
    this.waitIdleSync();
    if (workspace) this.arena.release(workspace);
    this.checkFault();
    this.finished(spec);
  }

  /** Runs a job on up to `threads` workers while the caller's event loop keeps turning. */
  async runAsync(spec: JobSpec, threads: number, slotBytes: number, sharedBytes = 0): Promise<void> {
    if (!this.threaded) return this.runSync(spec, threads, slotBytes, sharedBytes);
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
      const bytes = workspaceBytes(slotBytes, helpers + 1, sharedBytes);
      workspace = bytes ? this.arena.alloc(bytes) : 0;
      const generation = this.publish(withWorkspace(spec, workspace, slotBytes, helpers + 1, sharedBytes), helpers);
      await this.waitDone(generation);
      this.checkFault();
      this.finished(spec);
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

