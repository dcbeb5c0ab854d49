// The backward of a binary merge on the wasm backend (assembly/ops/merge.ts): a's and b's
// gradients from dy, one job each (mergeGradTask), each float a sum in a fixed order over the
// axes its input spreads along (the rule of native/ops/merge-grad.cc); and a concat's, dy's rows
// split by the concat job run the other way (concatTask with OP.concatGrad).
import type { Backend, ConcatParams, MergeGrads, MergeParams } from './backend';
import { lengthIs } from './check';
import { Blocks, type GradContext, type Jobs, plain, runAsync, runSync } from './wasm-grad';
import { OP, type JobSpec } from './wasm-job';
import { concatJob, mergeJob, plannedJob, type OpJob } from './wasm-ops';
import { float32Array } from '../validate';

const FLOATS_PER_TASK = 4096;
const size = (x: number[]) => x.reduce((q, d) => q * d, 1);

/** The arrays copied in, da and db placed, the jobs (given their places) run, da and db copied out. */
function* gradJobs(ctx: GradContext, arrays: Float32Array[], floats: [number, number], jobs: (ins: number[], outs: number[]) => JobSpec[], threads: number[]): Jobs<MergeGrads> {
  const e = ctx.engine(), blocks = new Blocks(e), keep = (ptr: number) => blocks.keep(ptr);
  e.enter();
  try {
    const ins = arrays.map((a) => keep(e.put(a))), outs = floats.map((n) => keep(e.arena.alloc(n * 4)));
    for (const [i, spec] of jobs(ins, outs).entries()) yield plain(spec, spec.tasks!, threads[i]);
    return { da: e.copyOut(outs[0], floats[0]), db: e.copyOut(outs[1], floats[1]) };
  } finally {
    blocks.release();
    e.leave();
  }
}

/** The merge's backward: a, b and dy checked, then one job for each input's gradient. */
function mergeGrads(ctx: GradContext, a: Float32Array, b: Float32Array, dy: Float32Array, p: MergeParams): Jobs<MergeGrads> {
  const job = mergeJob({ engine: ctx.engine(), target: ctx.target() }, p), [sa, sb, sy] = job.shapes;
  const names = ['a', 'b', 'dy'], lengths = [job.inputs, job.second!, job.outputs];
  [a, b, dy].forEach((x, i) => lengthIs(names[i], float32Array(names[i], x), lengths[i]));
  const threads = job.outputs < ctx.target().parallelReads ? 1 : ctx.target().threads;
  const grads = ([ap, bp, dyp]: number[], outs: number[]) => [0, 1].map((which): JobSpec => ({
    op: OP.mergeGrad, activation: which, x: ap, w: bp, bias: dyp, y: outs[which], k: p.mode, beta: p.divisor,
    tasks: Math.ceil(size(which ? sb : sa) / FLOATS_PER_TASK), rowsPerTask: FLOATS_PER_TASK,
    n: sa[0], h: sa[1], wd: sa[2], c: sa[3], kh: sb[0], kw: sb[1], sh: sb[2], sw: sb[3], oh: sy[0], ow: sy[1], dh: sy[2], dw: sy[3],
  }));
  return gradJobs(ctx, [a, b, dy], [job.inputs, job.second!], grads, [threads, threads]);
}

/** The concat's backward: dy's rows split into da and db by the concat's own plan. */
function concatGrads(ctx: GradContext, dy: Float32Array, p: ConcatParams): Jobs<MergeGrads> {
  const job: OpJob = concatJob({ engine: ctx.engine(), target: ctx.target() }, p);
  lengthIs('dy', float32Array('dy', dy), job.outputs);
  const split = ([dyp]: number[], outs: number[]) => {
    const [spec] = plannedJob(job.spec(outs, dyp), job.plan);
    return [{ ...spec, op: OP.concatGrad }];
  };
  return gradJobs(ctx, [dy], [job.inputs, job.second!], split, [job.plan.threads]);
}

/** The merge and concat backward methods of the contract for the wasm backend that lends ctx. */
export function wasmMergeGrads(ctx: GradContext): Pick<Backend, 'mergeBackward' | 'mergeBackwardAsync' | 'concatBackward' | 'concatBackwardAsync'> {
  return {
    mergeBackward: (a, b, dy, p) => runSync(ctx.engine(), mergeGrads(ctx, a, b, dy, p)),
    mergeBackwardAsync: (a, b, dy, p) => runAsync(ctx.engine(), mergeGrads(ctx, a, b, dy, p)),
    concatBackward: (dy, p) => runSync(ctx.engine(), concatGrads(ctx, dy, p)),
    concatBackwardAsync: (dy, p) => runAsync(ctx.engine(), concatGrads(ctx, dy, p)),
  };
}
