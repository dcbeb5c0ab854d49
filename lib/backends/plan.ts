// How one op runs on the wasm backend, decided once per input shape before any kernel runs: the
// path, the tasks and how threads share them, the GEMM's K blocking and each thread's workspace.
// The plan is written into the job; the kernels only follow it. The native backend plans for its
// own kernels (native/ops/plan.cc): the two share names and fields, not numbers.
import type { Conv2DParams, Depthwise2DParams, Plan, WindowParams } from './backend';
import { CACHE_LINE, GEMM_BLOCKING, PANEL_WIDTH, PATH, PLAN, TASK_BITS } from '../generated/kernels';

export type { Plan } from './backend';

/** What differs between the backends that follow the same rules. */
export interface PlanTarget {
  /** Rows of the GEMM micro-kernel. */
  mr: number;
  /** The same over packed A (native: a taller kernel on some ISAs). */
  packedMr: number;
  /** Threads the backend may use now. */
  threads: number;
  /** Below this many multiply-adds (reads for max-pool), one thread. */
  parallelMacs: number;
  parallelReads: number;
  /** Below this many floats, an activation pass runs on one thread. */
  parallelActivations: number;
  /** Per-participant edge-tile scratch the GEMM driver needs. */
  tileBytes: number;
  /** Size of one tap pointer (max-pool's indirection list). */
  pointerBytes: number;
  /** The GEMM driver packs blocks of A into the slot. */
  packA: boolean;
  /** A GEMM may split K into chunks (the last chunk's task on wasm, RunMatmul on native, sums them). */
  splitK: boolean;
  /**
   * Convolutions (but 1x1 stride 1) with at least this many input channels use the indirect GEMM
   * (PLAN.indirectMinChannels of the backend); Infinity where its kernels lack one.
   */
  indirectMinChannels: number;
}

/** Tasks of one op never exceed this (the job counter's limit). */
export const MAX_TASKS = 2 ** TASK_BITS - 1;

export const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
/** Slots start on their own cache line: threads writing neighbouring slots must not share one. */
export const slotBytes = (bytes: number) => ceilDiv(bytes, CACHE_LINE) * CACHE_LINE;

const packsA = (rows: number, panelsPerTask: number, t: PlanTarget) => t.packA && rows > 1 && panelsPerTask >= PLAN.packMinPanels;

/**
 * Packed A for the blocks of one task (its rows, at most an M block, in whole row tiles), when
 * enough panels reuse it and there is more than one row (a single row has its own kernel); 0
 * reads A in place.
 */
function packFloats(rows: number, rowsPerTask: number, panelsPerTask: number, kBlock: number, t: PlanTarget): number {
  // Whole tiles of either height (native TallTiles): at most an M block's rows plus one tile's padding.
  return packsA(rows, panelsPerTask, t) ? (Math.min(rowsPerTask, GEMM_BLOCKING.mc) + Math.max(t.mr, t.packedMr) - 1) * kBlock : 0;
}

/** One participant when the work is too small to share; never more than there are tasks. */
export function participants(work: number, threshold: number, threads: number, tasks: number): number {
  return work < threshold ? 1 : Math.max(1, Math.min(threads, tasks));
}

/** C[m x n] = A[m x k] * W: tasks of whole row tiles (split along M) or of panels (few rows). */
export function planGemm(m: number, n: number, k: number, t: PlanTarget): Plan {
  const panels = ceilDiv(n, PANEL_WIDTH);
  // With one row tile A is tiny: blocking K would only break each panel's stream of weights.
  const kBlock = m <= t.mr ? k : Math.min(k, GEMM_BLOCKING.kc);
  const macs = m * n * k;
  const threads = macs < t.parallelMacs ? 1 : t.threads;
  const rowTiles = ceilDiv(m, t.mr);
  let rowsPerTask = m, panelsPerTask = panels, kSplits = 1, kChunk = k, shared = 0;
  // An output of few micro-tiles leaves threads idle, or has each stream all of A for a panel or
  // two: K is split into chunks fixed by the shape (never by the thread count, so the sums, and
  // the bits, stay the same for any count), their partial products kept in the shared workspace.
  if (t.splitK && rowTiles * panels < PLAN.splitKMaxTiles && k >= 2 * PLAN.splitKChunk) {
    kChunk = PLAN.splitKChunk;
    kSplits = ceilDiv(k, kChunk);
    shared = slotBytes(kSplits * m * n * 4);
  }
  // Split the longer side: a thread reads all of the other operand, so splitting rows costs each
  // thread all of W (k x n), splitting panels all of A (m x k). Either way every thread gets work.
  const splitRows = rowTiles >= threads ? m >= n || panels < threads : rowTiles >= panels;
  if (threads > 1 && kSplits === 1 && splitRows) {
    // Whole micro-tiles per task, of the packed kernels' height when A will be packed.
    const tile = packsA(m, panels, t) ? t.packedMr : t.mr;
    rowsPerTask = ceilDiv(ceilDiv(m, tile), threads) * tile;
  }
  else if (threads > 1 && kSplits === 1) panelsPerTask = ceilDiv(panels, threads);
  const tasks = ceilDiv(m, rowsPerTask) * ceilDiv(panels, panelsPerTask) * kSplits;
  const pack = packFloats(m, rowsPerTask, panelsPerTask, kBlock, t);
  return {
    path: PATH.gemm, threads: participants(macs, t.parallelMacs, threads, tasks), tasks, rows: m, rowsPerTask,
    panels, panelsPerTask, kBlock, kSplits, kChunk, packFloats: pack, slotBytes: slotBytes(t.tileBytes + pack * 4), sharedBytes: shared,
  };
}

/**
 * 1x1 stride-1 unpadded: the GEMM of x itself; otherwise the indirect GEMM or im2col segments of
 * bounded size. (The wasm kernels have no Winograd path.)
 */
export function planConv2D(p: Conv2DParams, t: PlanTarget): Plan {
  const rows = p.n * p.oh * p.ow, k = p.kh * p.kw * p.c, groups = p.groups ?? 1;
  // A grouped convolution: im2col segments of each group's channels.
  if (groups > 1) return planIm2col(rows, k / groups, p.oc / groups, groups, t);
  const pointwise = p.kh === 1 && p.kw === 1 && p.sh === 1 && p.sw === 1 && p.pt === 0 && p.pb === 0 && p.pl === 0 && p.pr === 0;
  if (pointwise) return planGemm(rows, p.oc, k, t);
  if (p.c >= t.indirectMinChannels) {
    // Runs of rows, each task's indirection buffer (a pointer per row and tap) in its slot. Every
    // task streams all of W, so tasks are as long as balance allows: a multiple of the threads,
    // at most indirectRowsPerTask rows each. With fewer rows than output channels the threads
    // split the panels instead, in whole pairs (see native/ops/plan.cc).
    const macs = rows * k * p.oc, threads = macs < t.parallelMacs ? 1 : t.threads;
    const panels = ceilDiv(p.oc, PANEL_WIDTH);
    let rowsPerTask = rows, panelsPerTask = panels;
    if (threads > 1 && rows < p.oc && panels >= 2 * threads) {
      panelsPerTask = ceilDiv(ceilDiv(panels, threads), 2) * 2;
    } else {
      const rounds = ceilDiv(rows, threads * PLAN.indirectRowsPerTask);
      rowsPerTask = Math.min(rows, ceilDiv(ceilDiv(rows, threads * rounds), t.mr) * t.mr);
    }
    const tasks = ceilDiv(rows, rowsPerTask) * ceilDiv(panels, panelsPerTask);
    return {
      path: PATH.indirectGemm, threads: participants(macs, t.parallelMacs, threads, tasks), tasks, rows, rowsPerTask,
      panels, panelsPerTask, kBlock: k, kSplits: 1, kChunk: k, packFloats: 0,
      slotBytes: slotBytes(t.tileBytes + ceilDiv(rowsPerTask, t.mr) * t.mr * p.kh * p.kw * t.pointerBytes), sharedBytes: 0,
    };
  }
  return planIm2col(rows, k, p.oc, 1, t);
}

/** im2col segments of rows x k by n columns, for each of `groups` groups (task t: group t / segments). */
function planIm2col(rows: number, k: number, n: number, groups: number, t: PlanTarget): Plan {
  const panels = ceilDiv(n, PANEL_WIDTH);
  // Segments: whole micro-tiles that keep the workspace bounded, and few enough tasks; at least
  // an M block, so that each pass over the weights serves enough rows when K is large.
  let seg = Math.max(GEMM_BLOCKING.mc, Math.floor(Math.floor(PLAN.segmentFloats / k) / t.mr) * t.mr);
  seg = Math.min(seg, Math.max(GEMM_BLOCKING.mc, ceilDiv(ceilDiv(rows, PLAN.minSegments), t.mr) * t.mr));
  if (ceilDiv(rows, seg) > MAX_TASKS) seg = ceilDiv(ceilDiv(rows, MAX_TASKS), t.mr) * t.mr;
  // Every group's segments are tasks: at most MAX_TASKS in all.
  if (groups * ceilDiv(rows, seg) > MAX_TASKS) seg = Math.min(rows, ceilDiv(ceilDiv(rows * groups, MAX_TASKS), t.mr) * t.mr);
  const rowsPerTask = Math.min(seg, rows), tasks = groups * ceilDiv(rows, rowsPerTask);
  const kBlock = rows <= t.mr ? k : Math.min(k, GEMM_BLOCKING.kc), pack = packFloats(rows, rowsPerTask, panels, kBlock, t);
  return {
    path: PATH.im2colGemm, threads: participants(groups * rows * k * n, t.parallelMacs, t.threads, tasks), tasks, rows, rowsPerTask,
    panels, panelsPerTask: panels, kBlock, kSplits: 1, kChunk: k, packFloats: pack, slotBytes: slotBytes(t.tileBytes + (pack + rowsPerTask * k) * 4), sharedBytes: 0,
  };
}

/**
 * Runs of output pixels; fewer runs than threads (a global pool: one window per image) are also
 * cut into blocks of 16-channel groups, so that threads share the channels (a channel's sum is the
 * same whichever block holds it).
 */
export function planMaxPool2D(p: WindowParams, t: PlanTarget): Plan {
  const rows = p.n * p.oh * p.ow;
  const rowsPerTask = Math.max(PLAN.poolPixelsPerTask, ceilDiv(rows, MAX_TASKS));
  let tasks = ceilDiv(rows, rowsPerTask), panelsPerTask = ceilDiv(p.c, 16);
  const panels = panelsPerTask;
  if (tasks < t.threads && panels >= 8) {
    panelsPerTask = Math.max(4, ceilDiv(panels, ceilDiv(t.threads, tasks)));
    tasks *= ceilDiv(panels, panelsPerTask);
  }
  return {
    path: PATH.maxpool, threads: participants(rows * p.kh * p.kw * p.c, t.parallelReads, t.threads, tasks), tasks, rows, rowsPerTask,
    panels, panelsPerTask, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: slotBytes(Math.min(rowsPerTask, PLAN.poolPixelsPerCall) * p.kh * p.kw * t.pointerBytes), sharedBytes: 0,
  };
}

/** A copy of rows x cols floats (pad2d): tasks of whole rows, about 64 KiB each. */
export function planCopyRows(rows: number, cols: number, t: PlanTarget): Plan {
  const rowsPerTask = Math.min(rows, Math.max(ceilDiv(PLAN.segmentFloats / 4, cols), ceilDiv(rows, MAX_TASKS))), tasks = ceilDiv(rows, rowsPerTask);
  return {
    path: PATH.copy, threads: participants(rows * cols, t.parallelReads, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}

/** Depthwise convolution: runs of output pixels, as max-pool's; each task lists its pixels' taps in its slot. */
export function planDepthwise2D(p: Depthwise2DParams, t: PlanTarget): Plan {
  const rows = p.n * p.oh * p.ow;
  const rowsPerTask = Math.max(PLAN.poolPixelsPerTask, ceilDiv(rows, MAX_TASKS)), tasks = ceilDiv(rows, rowsPerTask);
  return {
    path: PATH.depthwise, threads: participants(rows * p.kh * p.kw * p.oc, t.parallelMacs, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: slotBytes(p.kh * p.kw * t.pointerBytes), sharedBytes: 0,
  };
}

/** Sigmoid, tanh or softmax over a finished rows x cols output: tasks of whole rows. */
export function planActivation(rows: number, cols: number, t: PlanTarget): Plan {
  // (Gemm's transpose of A is planned alike: runs of whole rows of its copy.)
  // Whole rows (softmax reads one at a time) of about activationFloatsPerTask floats.
  const rowsPerTask = Math.min(rows, Math.max(ceilDiv(PLAN.activationFloatsPerTask, cols), ceilDiv(rows, MAX_TASKS)));
  const tasks = ceilDiv(rows, rowsPerTask);
  return {
    path: PATH.activation, threads: participants(rows * cols, t.parallelActivations, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}

/** Batch normalization's y = x * s + t over rows of c floats: tasks of whole rows, as planActivation's. */
export function planBatchNorm(rows: number, c: number, t: PlanTarget): Plan {
  const rowsPerTask = Math.max(ceilDiv(PLAN.activationFloatsPerTask, c), ceilDiv(rows, MAX_TASKS)), tasks = ceilDiv(rows, rowsPerTask);
  return {
    path: PATH.batchNorm, threads: participants(rows * c, t.parallelActivations, t.threads, tasks), tasks, rows, rowsPerTask,
    panels: 0, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk: 0, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}

/**
 * A merge or concat writing rows of c floats: units of one row's segment of at most
 * PLAN.mergeFloatsPerTask floats (kChunk floats, panels segments per row, rows units), tasks of
 * about that many floats.
 */
export function planMerge(path: number, rows: number, c: number, t: PlanTarget): Plan {
  const kChunk = Math.min(c, PLAN.mergeFloatsPerTask), panels = ceilDiv(c, kChunk), units = rows * panels;
  const rowsPerTask = Math.max(Math.floor(PLAN.mergeFloatsPerTask / kChunk), ceilDiv(units, MAX_TASKS));
  const tasks = ceilDiv(units, rowsPerTask);
  return {
    path, threads: participants(3 * rows * c, t.parallelReads, t.threads, tasks), tasks, rows: units, rowsPerTask,
    panels, panelsPerTask: 0, kBlock: 0, kSplits: 0, kChunk, packFloats: 0, slotBytes: 0, sharedBytes: 0,
  };
}
