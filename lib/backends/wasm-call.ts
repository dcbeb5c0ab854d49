// How the wasm backend runs one op's jobs: its inputs copied into the module's memory (so that an
// async run has what it reads before it returns), the jobs run one after another on this thread
// or on the workers, the output copied out, the run's blocks freed. And two ways to run that
// measured faster in their cases: a large output's pages faulted in while a worker computes,
// and a one-thread max-pool over a large input band by band.
import type { WindowParams } from './backend';
import { PLAN } from '../generated/kernels';
import { planned, type OpJob, type PlannedJob } from './wasm-ops';
import type { Engine } from './wasm-engine';

/**
 * Runs the op on its inputs xs (x, and a merge's or concat's second): sync, into a new array (or
 * into out), or async (a Promise). The caller has checked their lengths. held: the places of
 * op.extra already in the module's memory (an operator's bias), else they are copied in for
 * this run.
 */
export function runOp(e: Engine, threads: number, xs: readonly Float32Array[], op: OpJob, sync: boolean, out?: Float32Array, held?: number[]): Float32Array | Promise<Float32Array> {
  const blocks: number[] = [];
  e.enter();
  const free = () => {
    blocks.forEach((p) => e.arena.release(p));
    e.leave();
  };
  let handedOver = false; // to the async job, which frees the blocks when it settles
  try {
    const place = (a: Float32Array) => (blocks.push(e.put(a)), blocks[blocks.length - 1]);
    const ptrs = [...xs.map((x) => e.residentPtr(x) ?? place(x)), ...(held ?? op.extra.map((a) => (a ? place(a) : 0)))];
    if (op.before) {
      const scratch = e.arena.alloc(op.before.scratchFloats * 4);
      blocks.push(scratch);
      ptrs.push(scratch);
    }
    const yPtr = e.arena.alloc(op.outputs * 4);
    blocks.push(yPtr);
    const jobs = planned(op, ptrs, yPtr);
    const finish = () => e.copyOut(yPtr, op.outputs, out);
    // A one-thread plan runs on this thread (sync) or on one worker (async: the loop stays free).
    if (sync) {
      if (!out && op.outputs * 4 >= PLAN.prefaultOutputBytes && threads > 1 && e.threaded) return runPrefaulting(e, jobs, yPtr, op.outputs);
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
function runPrefaulting(e: Engine, jobs: PlannedJob[], yPtr: number, length: number): Float32Array {
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

/** Whether a sync max-pool of x runs band by band (one thread, a large input that is copied in). */
export function poolsInBands(e: Engine, x: Float32Array, op: OpJob): boolean {
  // A resident input is read in place: there is no copy to pool behind.
  return op.plan.threads === 1 && x.length * 4 > 2 * PLAN.poolBandBytes && e.residentPtr(x) === undefined;
}

/**
 * A one-thread max-pool over a large input, band by band: the input rows that a run of output
 * rows reads are copied into one reused block and pooled at once, while they are still in
 * cache (copying the whole input first sends it to memory and the kernel reads it back). Each
 * band is the op's job on a shorter image: its first row is input row iyA, so its top padding
 * is what remains above it. Same kernel, same taps in the same order: the same bits.
 */
export function poolInBands(e: Engine, x: Float32Array, p: WindowParams, op: OpJob, out?: Float32Array): Float32Array {
  const rowFloats = p.w * p.c, spanY = (p.kh - 1) * p.dh;
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
    return e.copyOut(yPtr, op.outputs, out);
  } finally {
    blocks.forEach((ptr) => e.arena.release(ptr));
    e.leave();
  }
}
