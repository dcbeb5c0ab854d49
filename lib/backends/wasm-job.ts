// The job descriptor shared with the WebAssembly kernels: class Job in assembly/generated/job.ts,
// both generated from kernels.json (npm run gen), as are the op codes and TASK_BITS.
import { JOB_FIELDS, OP, TASK_BITS, writeJobFields } from '../generated/kernels';
import { MAX_TASKS } from './plan';

export { JOB_FIELDS, OP, TASK_BITS, MAX_TASKS };
export type JobField = (typeof JOB_FIELDS)[number];
export type JobSpec = Partial<Record<JobField, number>>;

export const JOB_BYTES = JOB_FIELDS.length * 4;
/** Job.next holds (generation << TASK_BITS) | next task. */
export const GENERATION_MASK = (1 << (32 - TASK_BITS)) - 1;

const INDEX = Object.fromEntries(JOB_FIELDS.map((f, i) => [f, i])) as Record<JobField, number>;

export function jobIndex(field: JobField): number {
  return INDEX[field];
}

/** The indices of the fields the engine reads and writes on every job. */
export const DONE = INDEX.done, NEXT = INDEX.next;

/** Writes a job at byte offset ptr (fields not given are 0). */
export function writeJob(memory: Int32Array, ptr: number, spec: JobSpec): void {
  writeJobFields(memory, ptr >> 2, spec);
}
