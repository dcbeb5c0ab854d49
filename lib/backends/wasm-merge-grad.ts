// The backward of a binary merge on the wasm backend (assembly/ops/merge.ts mergeGradTask): a, b
// and dy copied in, then one job for da and one for db, each float a sum in a fixed order over
// the axes its input spreads along (the same rule as native/ops/merge-grad.cc); and a concat's,
// dy's rows split by the concat job run the other way (concatTask with OP.concatGrad).
import type { Backend, ConcatParams, MergeGrads, MergeParams } from './backend';
import { checkMerge, lengthIs } from './check';
import { broadcastMerge } from './merge-shape';
import { type GradContext, type Jobs, plain, runAsync, runSync } from './wasm-grad';
import { OP } from './wasm-job';
import { concatJob, plannedJob } from './wasm-ops';
import { float32Array } from '../validate';

const FLOATS_PER_TASK = 4096;

function* mergeJobs(ctx: GradContext, a: Float32Array, b: Float32Array, dy: Float32Array, p: MergeParams): Jobs<MergeGrads> {
  const e = ctx.engine(), t = ctx.target(), s = broadcastMerge(p)!;
  const size = (x: number[]) => x.reduce((q, d) => q * d, 1);
  const blocks: number[] = [];
  const keep = (ptr: number) => (blocks.push(ptr), ptr);
  e.enter();
  try {
    const ap = keep(e.put(a)), bp = keep(e.put(b)), dyp = keep(e.put(dy));
    const grads = [s.a, s.b].map((shape) => keep(e.arena.alloc(size(shape) * 4)));
    const threads = size(s.y) < t.parallelReads ? 1 : t.threads;
    for (const which of [0, 1]) {
      const floats = size(which ? s.b : s.a);
      yield plain({
        op: OP.mergeGrad, activation: which, x: ap, w: bp, bias: dyp, y: grads[which], mergeMode: p.mode, divisor: p.divisor,
        rowsPerTask: FLOATS_PER_TASK, n: s.a[0], h: s.a[1], wd: s.a[2], c: s.a[3], kh: s.b[0], kw: s.b[1], sh: s.b[2], sw: s.b[3],
        oh: s.y[0], ow: s.y[1], dh: s.y[2], dw: s.y[3],
      }, Math.ceil(floats / FLOATS_PER_TASK), threads);
    }
    return { da: e.copyOut(grads[0], size(s.a)), db: e.copyOut(grads[1], size(s.b)) };
  } finally {
    blocks.forEach((ptr) => e.arena.release(ptr));
    e.leave();
  }
}

/** A concat's backward: dy copied in, one job splitting its rows into da and db (concatGradTask). */
function* concatJobs(ctx: GradContext, dy: Float32Array, p: ConcatParams): Jobs<MergeGrads> {
  const e = ctx.engine(), job = concatJob({ engine: e, target: ctx.target() }, p);
  const blocks: number[] = [];
  const keep = (ptr: number) => (blocks.push(ptr), ptr);
  e.enter();
  try {
    const dyp = keep(e.put(dy)), da = keep(e.arena.alloc(job.inputs * 4)), db = keep(e.arena.alloc(job.second! * 4));
    const [spec, threads, slotBytes, sharedBytes] = plannedJob(job.spec([da, db], dyp), job.plan);
    spec.op = OP.concatGrad;
    yield [spec, threads, slotBytes, sharedBytes];
    return { da: e.copyOut(da, job.inputs), db: e.copyOut(db, job.second!) };
  } finally {
    blocks.forEach((ptr) => e.arena.release(ptr));
    e.leave();
  }
}

/** The arrays and params checked before anything is copied in. */
function check(a: Float32Array, b: Float32Array, dy: Float32Array, p: MergeParams): void {
  checkMerge(p);
  const s = broadcastMerge(p);
  if (!s) throw new RangeError('Expected merge inputs whose sizes are equal or 1 on each axis');
  const size = (x: number[]) => x.reduce((q, d) => q * d, 1);
  lengthIs('a', float32Array('a', a), size(s.a));
  lengthIs('b', float32Array('b', b), size(s.b));
  lengthIs('dy', float32Array('dy', dy), size(s.y));
}

/** mergeBackward and mergeBackwardAsync of the contract for the wasm backend that lends ctx. */
export function wasmMergeGrads(ctx: GradContext): Pick<Backend, 'mergeBackward' | 'mergeBackwardAsync' | 'concatBackward' | 'concatBackwardAsync'> {
  const checkConcat = (dy: Float32Array, p: ConcatParams) => (concatJob({ engine: ctx.engine(), target: ctx.target() }, p), lengthIs('dy', float32Array('dy', dy), p.m * (p.ca + p.cb)));
  return {
    concatBackward: (dy, p) => (checkConcat(dy, p), runSync(ctx.engine(), concatJobs(ctx, dy, p))),
    concatBackwardAsync: (dy, p) => (checkConcat(dy, p), runAsync(ctx.engine(), concatJobs(ctx, dy, p))),
    mergeBackward: (a, b, dy, p) => (check(a, b, dy, p), runSync(ctx.engine(), mergeJobs(ctx, a, b, dy, p))),
    mergeBackwardAsync: (a, b, dy, p) => (check(a, b, dy, p), runAsync(ctx.engine(), mergeJobs(ctx, a, b, dy, p))),
  };
}
