// The wasm plans of the ops that write a larger image than they read: Conv2DTranspose (bands of
// output rows, see native/ops/conv2d-transpose.cc) and UpSampling2D (runs of rows). Their bits
// never depend on how the rows are cut, so the cut may follow the thread count.
import type { Conv2DTransposeParams, PermuteParams, Plan, UpSampling2DParams } from './backend';
import { GEMM_BLOCKING, PANEL_WIDTH, PATH, PLAN } from '../generated/kernels';
import { ceilDiv, MAX_TASKS, participants, slotBytes, type PlanTarget } from './plan';

/** Input pixels per GEMM chunk: whole micro-tiles, their columns about segmentFloats floats. */
export function transposedChunkPixels(columns: number, mr: number): number {
  return Math.max(mr, Math.floor(Math.floor(PLAN.segmentFloats / columns) / mr) * mr);
}

export function planConv2DTranspose(p: Conv2DTransposeParams, t: PlanTarget): Plan {
  const k = p.kh * p.kw * p.oc, macs = p.n * p.h * p.w * p.c * k;
  const threads = macs < t.parallelMacs ? 1 : t.threads;
  // Four bands per thread where they share no input row (a kernel no taller than the stride), so
  // that a thread held up delays less; else as few as the threads need (a boundary costs the
  // input rows both sides read). See native/ops/conv2d-transpose.cc.
  const disjoint = (p.kh - 1) * p.dh + 1 <= p.sh;
  const bands = threads === 1 ? 1 : Math.min(p.oh, ceilDiv(threads * (disjoint ? 4 : 1), p.n)), rowsPerTask = ceilDiv(p.oh, bands);
  const tasks = p.n * ceilDiv(p.oh, rowsPerTask), panels = ceilDiv(k, PANEL_WIDTH);
  return {
    path: PATH.transposedGemm, threads: participants(macs, t.parallelMacs, t.threads, tasks), tasks, rows: p.n * p.oh, rowsPerTask,
    panels, panelsPerTask: panels, kBlock: Math.min(p.c, GEMM_BLOCKING.kc), kSplits: 1, kChunk: p.c, packFloats: 0,
    slotBytes: slotBytes(t.tileBytes + transposedChunkPixels(k, t.mr) * k * 4), sharedBytes: 0,
  };
}

/** About this many floats of output (or of dx) per task. */
const FLOATS_PER_TASK = 16384;

/** Rows of a pass: nearest, input rows (each makes sh output rows); bilinear, output rows; grad: input rows. */
export function planUpSampling2D(p: UpSampling2DParams, t: PlanTarget, grad = false): Plan {
  const oh = p.h * p.sh, ow = p.w * p.sw, perOutputRow = !grad && p.bilinear === true;
  const rows = p.n * (perOutputRow ? oh : p.h), rowFloats = (perOutputRow ? 1 : p.sh) * ow * p.c;
  const rowsPerTask = Math.max(ceilDiv(FLOATS_PER_TASK, rowFloats), ceilDiv(rows, MAX_TASKS)), tasks = ceilDiv(rows, rowsPerTask);
  const reads = p.n * oh * ow * p.c * (p.bilinear ? 4 : 1);
  return {
    path: p.bilinear ? PATH.upsampleBilinear : PATH.upsampleNearest, threads: participants(reads, t.parallelReads, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}

/** Runs of output rows (sample, first output index). See native/ops/permute.cc. */
export function planPermute(p: PermuteParams, t: PlanTarget): Plan {
  const d = [p.d0, p.d1, p.d2], rows = p.n * d[p.p0], rowFloats = d[p.p1] * d[p.p2];
  const rowsPerTask = Math.max(ceilDiv(FLOATS_PER_TASK, rowFloats), ceilDiv(rows, MAX_TASKS)), tasks = ceilDiv(rows, rowsPerTask);
  return {
    path: PATH.permute, threads: participants(rows * rowFloats, t.parallelReads, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}
