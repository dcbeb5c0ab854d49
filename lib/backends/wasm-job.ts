// The job descriptor shared with the WebAssembly kernels. JOB_FIELDS must match the field order
// of class Job in assembly/job.ts, OP the OP_* constants there and TASK_BITS the one in
// assembly/index.ts (test/constants.test.ts checks all three).

export const JOB_FIELDS = [
  'op', 'tasks', 'next', 'done', 'slots', 'workspace', 'slotBytes', 'x', 'w', 'bias', 'y', 'activation',
  'n', 'h', 'wd', 'c', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pb', 'pl', 'pr', 'oh', 'ow', 'oc',
  'm', 'k', 'cols', 'lda', 'rowsPerTask', 'panelsPerTask', 'accumulate',
] as const;

export type JobField = (typeof JOB_FIELDS)[number];
export type JobSpec = Partial<Record<JobField, number>>;

export const JOB_BYTES = JOB_FIELDS.length * 4;
export const OP = { conv2d: 1, maxpool2d: 2, gemm: 3 } as const;
/** Job.next holds (generation << TASK_BITS) | next task. */
export const TASK_BITS = 20;
export const MAX_TASKS = (1 << TASK_BITS) - 1;
export const GENERATION_MASK = (1 << (32 - TASK_BITS)) - 1;

const INDEX = Object.fromEntries(JOB_FIELDS.map((f, i) => [f, i])) as Record<JobField, number>;

export function jobIndex(field: JobField): number {
  return INDEX[field];
}

/** Writes a job at byte offset ptr (fields not given are 0). */
export function writeJob(memory: Int32Array, ptr: number, spec: JobSpec): void {
  const base = ptr >> 2;
  memory.fill(0, base, base + JOB_FIELDS.length);
  for (const [field, value] of Object.entries(spec)) memory[base + INDEX[field as JobField]] = value;
}
