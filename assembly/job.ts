// The job descriptor the JavaScript side writes into shared memory for one op: what to compute,
// where, and the counters the participating threads share. Field order must match JOB_FIELDS in
// lib/backends/wasm-job.ts (test/constants.test.ts checks it). Every field is 32 bits.

export const OP_CONV2D: i32 = 1;
export const OP_MAXPOOL2D: i32 = 2;
export const OP_GEMM: i32 = 3;

@unmanaged
export class Job {
  op: i32;
  tasks: i32;
  next: i32;      // (generation << 20) | next task to take (atomic): see takeTask in index.ts
  done: i32;      // tasks finished (atomic); notified when it reaches tasks
  slots: i32;     // participants so far (atomic): each takes its own workspace slot
  workspace: u32; // base of the per-participant workspace slots
  slotBytes: u32;
  x: u32;
  w: u32;         // packed weights
  bias: u32;      // 0: none
  y: u32;
  activation: i32;
  n: i32; h: i32; wd: i32; c: i32;
  kh: i32; kw: i32; sh: i32; sw: i32; dh: i32; dw: i32;
  pt: i32; pb: i32; pl: i32; pr: i32;
  oh: i32; ow: i32; oc: i32;
  m: i32; k: i32; cols: i32; // GEMM: y[m x cols] = x[m x k] * w[k x cols]
  lda: i32;                  // GEMM: row stride of x in floats
  rowsPerTask: i32;          // conv: im2col segment rows; pool: output pixels; GEMM: rows
  panelsPerTask: i32;        // GEMM: 16-column panels per task
  accumulate: i32;           // GEMM: y already holds an addend
}
