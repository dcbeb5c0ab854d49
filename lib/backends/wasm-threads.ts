// Threads for the wasm backend: workers that share the module's memory, wait on a control word,
// and run the current job's tasks (assembly/index.ts run()). They never allocate: every buffer a
// job touches is placed by the calling thread before the workers are woken.
import { GENERATION_MASK, MAX_TASKS } from './wasm-job';

/** Control block, int32 words in the shared memory. */
export const CTRL = { generation: 0, stop: 1, ready: 2, active: 3, failed: 4 } as const;
export const CTRL_BYTES = 32;
/**
 * Added to Job.done by a worker whose kernel trapped, so that nobody waits for its task forever:
 * more than any job's task count, and small enough that every worker (at most 64) can add it
 * without overflowing an int32 (1 << 30 wrapped to negative when two workers trapped).
 */
export const FAILED_DONE = MAX_TASKS + 1;

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrlPtr: number;
  jobPtr: number;
  /** Byte offset of Job.done in the job. */
  doneOffset: number;
  index: number;
  generation: number;
}

/**
 * The worker's whole program, the same in Node (worker_threads, eval) and browsers (a Blob
 * URL): instantiate on the shared memory, say ready, then sleep until the generation changes,
 * and run the job if this worker's index is below the active count.
 */
export const WORKER_SOURCE = `
function start(d) {
  const instance = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const ctrl = new Int32Array(d.memory.buffer, d.ctrlPtr, 8);
  const done = new Int32Array(d.memory.buffer, d.jobPtr + d.doneOffset, 1);
  Atomics.add(ctrl, ${CTRL.ready}, 1);
  Atomics.notify(ctrl, ${CTRL.ready});
  let seen = d.generation;
  for (;;) {
    Atomics.wait(ctrl, ${CTRL.generation}, seen);
    seen = Atomics.load(ctrl, ${CTRL.generation});
    if (Atomics.load(ctrl, ${CTRL.stop}) !== 0) return;
    if (d.index >= Atomics.load(ctrl, ${CTRL.active})) continue;
    try {
      instance.exports.run(d.jobPtr, seen & ${GENERATION_MASK});
    } catch (e) {
      // A trap must not leave the caller waiting: flag it and release the waiters.
      Atomics.store(ctrl, ${CTRL.failed}, 1);
      Atomics.add(done, 0, ${FAILED_DONE});
      Atomics.notify(done, 0);
      return;
    }
  }
}
if (typeof require === 'function' && require('node:worker_threads').workerData) start(require('node:worker_threads').workerData);
else self.onmessage = (e) => start(e.data);
`;

/** Waits until ctrl[index] != value, without blocking the event loop. */
export async function waitAsyncWhileEqual(ctrl: Int32Array, index: number, value: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  if (waitAsync) {
    const r = waitAsync(ctrl, index, value);
    if (r.async) await r.value;
    return;
  }
  // Engines without Atomics.waitAsync: poll.
  while (Atomics.load(ctrl, index) === value) await new Promise((resolve) => setTimeout(resolve, 1));
}
