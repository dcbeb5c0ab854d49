// The wasm backend's ops as jobs: each op's checks, its plan (plan.ts) for this backend's
// threads and kernels, and the job that runs it in the module (assembly/ops), minus the
// addresses of its input and output, which a run places.
import type { ActivationOpParams, BatchNormParams, ConcatParams, Conv2DParams, DenseParams, Depthwise2DParams, MergeParams, PackedWeights, Pad2DParams, Step, WindowParams } from './backend';
import type { Conv2DTransposeParams, PermuteParams, PReluParams, UpSampling2DParams } from './backend';
import { checkPRelu } from './check';
import { checkConv2DTranspose, checkPermute, checkUpSampling2D } from './check';
import { planConv2DTranspose, planPermute, planUpSampling2D, transposedChunkPixels } from './plan-resample';
import { checkActivationOp, checkBatchNorm, checkConcat, checkConv2D, checkDense, checkDepthwise2D, checkMaxPool2D, checkMerge, checkPad2D } from './check';
import { ACTIVATION, PATH, PLAN, WASM_MR } from '../generated/kernels';
import { planActivation, planBatchNorm, planConv2D, planCopyRows, planDepthwise2D, planGemm, planMaxPool2D, planMerge, type Plan, type PlanTarget } from './plan';
import type { Engine, WasmWeights } from './wasm-engine';
import { OP, type JobSpec } from './wasm-job';

/** What an op's jobs are made for: the engine that runs them and the plan rules' target. */
export interface OpContext {
  engine: Engine;
  target: PlanTarget;
}

/** One op planned and checked, minus the placement of its blocks. */
export interface OpJob {
  /** Inputs after x, copied in with it (null: absent, pointer 0). */
  extra: (Float32Array | null)[];
  /** Floats in x and y. */
  inputs: number;
  outputs: number;
  /** Floats in the second input (merge, concat), placed right after x in a run's ptrs; absent: one input. */
  second?: number;
  plan: Plan;
  /** The job for x and the extra inputs at ptrs (x first), writing y at yPtr. */
  spec: (ptrs: number[], yPtr: number) => JobSpec;
  /** An activation other than the epilogue's clamp: a second job over y once the first has finished (null: none). */
  activation: ActivationJob | null;
  /** A job that runs first, and the floats of a block the run places after the extra inputs for it. */
  before?: { plan: Plan; spec: (ptrs: number[]) => JobSpec; scratchFloats: number };
}

/** An activation pass over a finished rows x cols output, in place (assembly/ops/activation.ts). */
interface ActivationJob {
  plan: Plan;
  spec: (yPtr: number) => JobSpec;
}

/** A job and what Engine.runSync / runAsync need to run it: threads, slot and shared workspace bytes. */
export type PlannedJob = [JobSpec, number, number, number];

/** The plan's fields set on the op's fresh job object (a spread costs microseconds). */
function withPlan(job: JobSpec, plan: Plan): JobSpec {
  job.path = plan.path;
  job.tasks = plan.tasks;
  job.rowsPerTask = plan.rowsPerTask;
  job.panelsPerTask = plan.panelsPerTask;
  job.kBlock = plan.kBlock;
  job.kSplits = plan.kSplits;
  job.kChunk = plan.kChunk;
  return job;
}

export const plannedJob = (job: JobSpec, plan: Plan): PlannedJob => [withPlan(job, plan), plan.threads, plan.slotBytes, plan.sharedBytes];

/** The op's jobs for x and its extra inputs at ptrs (x first), writing y at yPtr, with their plans. */
export function planned(op: OpJob, ptrs: number[], yPtr: number): PlannedJob[] {
  const jobs = op.before ? [plannedJob(op.before.spec(ptrs), op.before.plan)] : [];
  jobs.push(plannedJob(op.spec(ptrs, yPtr), op.plan));
  const a = op.activation;
  if (a) jobs.push(plannedJob(a.spec(yPtr), a.plan));
  return jobs;
}

/** Whether the activation is the GEMM epilogue's clamp alone: linear, relu or relu6 (assembly/kernels/clamp.ts). */
function clampOnly(activation: number): boolean {
  return activation === ACTIVATION.linear || activation === ACTIVATION.relu || activation === ACTIVATION.relu6;
}

/** The code the GEMM epilogue applies: its clamp, or linear for every other activation. */
export function epilogue(activation: number): number {
  return clampOnly(activation) ? activation : ACTIVATION.linear;
}

/**
 * The activation pass after a GEMM over rows x cols outputs; null for the clamps (the GEMM's
 * epilogue applies them).
 */
export function activationJob(ctx: OpContext, activation: number, rows: number, cols: number): ActivationJob | null {
  if (clampOnly(activation)) return null;
  const plan = planActivation(rows, cols, ctx.target);
  return { plan, spec: (yp) => ({ op: OP.activation, y: yp, activation, m: rows, cols }) };
}

/** x is the input array, or the floats of the input a run will give. */
export function convJob(ctx: OpContext, x: Float32Array | number, w: WasmWeights, bias: Float32Array | null, p: Conv2DParams): OpJob {
  checkConv2D(x, w, bias, p);
  const plan = planConv2D(p, ctx.target), engine = ctx.engine;
  const groups = p.groups ?? 1, k = p.kh * p.kw * p.c / groups;
  const pointers = plan.path === PATH.indirectGemm ? Math.ceil(plan.rows / WASM_MR) * WASM_MR * p.kh * p.kw : 0;
  const spec = ([xp, bp]: number[], yp: number): JobSpec => {
    const job: JobSpec = {
      op: OP.conv2d, x: xp, w: w.ptr, bias: bp, y: yp, activation: epilogue(p.activation), m: plan.rows, k, lda: k, cols: p.oc,
      n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
      pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow, oc: p.oc, groups,
    };
    if (pointers) {
      job.zeros = engine.zeros(p.c);
      if (pointers <= PLAN.keptIndirectionPointers) {
        // Kept for this geometry, input and zero vector (Engine.indirection).
        const key = [xp, job.zeros, p.n, p.h, p.w, p.c, p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pb, p.pl, p.pr];
        const kept = engine.indirection(w, key, pointers * 4);
        job.indirection = kept.ptr;
        job.indirectionBuilt = kept.built;
      }
    }
    return job;
  };
  return { extra: [bias], inputs: p.n * p.h * p.w * p.c, outputs: plan.rows * p.oc, plan, spec, activation: activationJob(ctx, p.activation, plan.rows, p.oc) };
}

/** Max-pooling, or average-pooling when `average` says how its divisor counts the padding. */
export function poolJob(ctx: OpContext, x: Float32Array | number, p: WindowParams, average?: { countIncludePad?: boolean }): OpJob {
  checkMaxPool2D(x, p, average ? 'avgpool2d' : 'maxpool2d');
  const plan = planMaxPool2D(p, ctx.target);
  const spec = ([xp]: number[], yp: number): JobSpec => ({
    op: average ? OP.avgpool2d : OP.maxpool2d, x: xp, y: yp, countPad: average?.countIncludePad ? 1 : 0,
    n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
    pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow,
  });
  return { extra: [], inputs: p.n * p.h * p.w * p.c, outputs: plan.rows * p.c, plan, spec, activation: null };
}

/** ZeroPadding2D and Cropping2D (assembly/ops/pad2d.ts): tasks of output rows. */
export function padJob(ctx: OpContext, x: Float32Array | number, p: Pad2DParams): OpJob {
  checkPad2D(x, p);
  const plan = planCopyRows(p.n * p.oh, p.ow * p.c, ctx.target);
  const spec = ([xp]: number[], yp: number): JobSpec => ({
    op: OP.pad2d, x: xp, y: yp, n: p.n, h: p.h, wd: p.w, c: p.c, pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, ct: p.ct, cl: p.cl, oh: p.oh, ow: p.ow,
  });
  return { extra: [], inputs: p.n * p.h * p.w * p.c, outputs: p.n * p.oh * p.ow * p.c, plan, spec, activation: null };
}

/**
 * A depthwise convolution (assembly/ops/depthwise2d.ts): one zero vector (oc >= c floats) for
 * the padding taps and for the bias of a layer without one (the kernel then has no branch on it).
 */
export function depthwiseJob(ctx: OpContext, x: Float32Array | number, w: WasmWeights, bias: Float32Array | null, p: Depthwise2DParams): OpJob {
  checkDepthwise2D(x, w, bias, p);
  const plan = planDepthwise2D(p, ctx.target), engine = ctx.engine;
  const spec = ([xp, bp]: number[], yp: number): JobSpec => {
    const zeros = engine.zeros(p.oc);
    return {
      op: OP.depthwise2d, x: xp, w: w.ptr, bias: bp || zeros, y: yp, activation: epilogue(p.activation), zeros,
      n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
      pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow, oc: p.oc,
    };
  };
  return { extra: [bias], inputs: p.n * p.h * p.w * p.c, outputs: plan.rows * p.oc, plan, spec, activation: activationJob(ctx, p.activation, plan.rows, p.oc) };
}

/** The job of a packed GEMM (assembly/ops/matmul.ts): y[m x n] = x[m x k] * w (+ bias). */
export function matmulSpec(m: number, n: number, k: number, w: number, activation: number) {
  return ([xp, bp]: number[], yp: number): JobSpec => ({ op: OP.gemm, x: xp, lda: k, w, bias: bp ?? 0, y: yp, activation, m, k, cols: n });
}

export function denseJob(ctx: OpContext, x: Float32Array | number, w: WasmWeights, bias: Float32Array | null, p: DenseParams): OpJob {
  checkDense(x, w, bias, p);
  const spec = matmulSpec(p.m, p.n, p.k, w.ptr, epilogue(p.activation));
  return { extra: [bias], inputs: p.m * p.k, outputs: p.m * p.n, plan: planGemm(p.m, p.n, p.k, ctx.target), spec, activation: activationJob(ctx, p.activation, p.m, p.n) };
}

/** y = x * s + t per channel (assembly/ops/batchnorm.ts), scaleShift s then t. */
export function batchNormJob(ctx: OpContext, x: Float32Array | number, scaleShift: Float32Array, p: BatchNormParams): OpJob {
  checkBatchNorm(x, scaleShift, p);
  const plan = planBatchNorm(p.m, p.c, ctx.target);
  const spec = ([xp, sp]: number[], yp: number): JobSpec => ({ op: OP.channelAffine, x: xp, w: sp, y: yp, m: p.m, c: p.c, activation: epilogue(p.activation) });
  return { extra: [scaleShift], inputs: p.m * p.c, outputs: p.m * p.c, plan, spec, activation: activationJob(ctx, p.activation, p.m, p.c) };
}

/** y = x above 0, else x * alpha per channel (assembly/ops/prelu.ts), in batchNorm's tasks of rows. */
export function preluJob(ctx: OpContext, x: Float32Array | number, alpha: Float32Array, p: PReluParams): OpJob {
  checkPRelu(x, alpha, p);
  const plan = { ...planBatchNorm(p.m, p.c, ctx.target), path: PATH.prelu };
  const spec = ([xp, ap]: number[], yp: number): JobSpec => ({ op: OP.prelu, x: xp, w: ap, y: yp, m: p.m, c: p.c });
  return { extra: [alpha], inputs: p.m * p.c, outputs: p.m * p.c, plan, spec, activation: null };
}

/**
 * An activation op's rows: softmax over a middle axis runs m * inner strided rows of n floats
 * inner apart (k: the stride); the others m rows of n * inner.
 */
export function activationRows(p: ActivationOpParams): { m: number; cols: number; k: number } {
  const strided = p.inner > 1 && p.activation === ACTIVATION.softmax;
  return strided ? { m: p.m * p.inner, cols: p.n, k: p.inner } : { m: p.m, cols: p.n * p.inner, k: 1 };
}

export function elementwiseJob(ctx: OpContext, x: Float32Array | number, p: ActivationOpParams): OpJob {
  checkActivationOp(x, p);
  const { m, cols, k } = activationRows(p), plan = planActivation(m, cols, ctx.target);
  const spec = ([xp]: number[], yp: number): JobSpec => ({
    op: OP.elementwise, x: xp, y: yp, m, cols, k, activation: p.activation, alpha: p.alpha, maxValue: p.maxValue, threshold: p.threshold,
  });
  return { extra: [], inputs: m * cols, outputs: m * cols, plan, spec, activation: null };
}

export function transposeJob(ctx: OpContext, x: Float32Array | number, w: WasmWeights, bias: Float32Array | null, p: Conv2DTransposeParams): OpJob {
  checkConv2DTranspose(x, w, bias, p);
  const plan = planConv2DTranspose(p, ctx.target), k = p.kh * p.kw * p.oc, chunk = transposedChunkPixels(k, ctx.target.mr);
  const spec = ([xp, bp]: number[], yp: number): JobSpec => ({
    op: OP.conv2dTranspose, x: xp, w: w.ptr, bias: bp, y: yp, activation: epilogue(p.activation), m: chunk, k: p.c, cols: k,
    n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw, pt: p.pt, pl: p.pl, oh: p.oh, ow: p.ow, oc: p.oc,
  });
  const outputs = p.n * p.oh * p.ow * p.oc;
  return { extra: [bias], inputs: p.n * p.h * p.w * p.c, outputs, plan, spec, activation: activationJob(ctx, p.activation, outputs / p.oc, p.oc) };
}

/** UpSampling2D's job, or (grad) its backward's, from dy to dx. */
export function upsampleJob(ctx: OpContext, x: Float32Array | number, p: UpSampling2DParams, grad = false): OpJob {
  const oh = p.h * p.sh, ow = p.w * p.sw;
  checkUpSampling2D(grad ? p.n * p.h * p.w * p.c : x, p);
  const plan = planUpSampling2D(p, ctx.target, grad);
  const spec = ([xp]: number[], yp: number): JobSpec => ({
    op: grad ? OP.upsampling2dGrad : OP.upsampling2d, x: xp, y: yp, m: plan.rows, n: p.n, h: p.h, wd: p.w, c: p.c, sh: p.sh, sw: p.sw, oh, ow,
  });
  const inputs = p.n * p.h * p.w * p.c, outputs = p.n * oh * ow * p.c;
  return { extra: [], inputs: grad ? outputs : inputs, outputs: grad ? inputs : outputs, plan, spec, activation: null };
}

/** Permute's job: the permutation in the job's kh, kw and sh fields (assembly/ops/permute.ts). */
export function permuteJob(ctx: OpContext, x: Float32Array | number, p: PermuteParams): OpJob {
  checkPermute(x, p);
  const plan = planPermute(p, ctx.target), floats = p.n * p.d0 * p.d1 * p.d2;
  const spec = ([xp]: number[], yp: number): JobSpec => ({ op: OP.permute, x: xp, y: yp, m: plan.rows, n: p.n, h: p.d0, wd: p.d1, c: p.d2, kh: p.p0, kw: p.p1, sh: p.p2 });
  return { extra: [], inputs: floats, outputs: floats, plan, spec, activation: null };
}

/** y = op(a, b) of two inputs that broadcast (assembly/ops/merge.ts; its fields: kernels.json's job.mergeFieldsComment); ptrs [a, b]. */
export function mergeJob(ctx: OpContext, p: MergeParams): OpJob & { shapes: number[][] } {
  const [a0, b0, y0] = checkMerge(p);
  // Inputs of y's own shape are one run of floats: one row of them all, cut into segments by
  // planMerge (rows of c floats would pay a row's setup every c floats).
  const flat = a0.join() === y0.join() && b0.join() === y0.join();
  const whole = y0.reduce((q, d) => q * d, 1);
  const [a, b, y] = flat ? [[1, 1, 1, whole], [1, 1, 1, whole], [1, 1, 1, whole]] : [a0, b0, y0];
  // Row-major strides of each input over y's axes, 0 where it spreads (native also merges axes
  // that spread alike into longer rows; wasm keeps y's rows of c floats).
  const strides = (x: number[]) => x.map((_, k) => (x[k] === y[k] ? x.slice(k + 1).reduce((q, d) => q * d, 1) : 0));
  const [as, bs] = [strides(a), strides(b)], plan = planMerge(PATH.merge, y[0] * y[1] * y[2], y[3], ctx.target);
  const spec = ([ap, bp]: number[], yp: number): JobSpec => ({
    op: OP.merge, x: ap, w: bp, y: yp, k: p.mode, beta: p.divisor, m: plan.rows, cols: plan.panels, n: y[0], h: y[1], wd: y[2], c: y[3],
    kh: as[0], kw: as[1], sh: as[2], sw: as[3], dh: bs[0], dw: bs[1], pt: bs[2], pb: bs[3],
  });
  const size = (x: number[]) => x.reduce((q, d) => q * d, 1);
  return { extra: [], inputs: size(a), second: size(b), outputs: size(y), plan, spec, activation: null, shapes: [a0, b0, y0] };
}

/** y[m x (ca + cb)] = [a | b] row by row (assembly/ops/merge.ts); ptrs [a, b]. */
export function concatJob(ctx: OpContext, p: ConcatParams): OpJob {
  checkConcat(p);
  const plan = planMerge(PATH.concat, p.m, p.ca + p.cb, ctx.target);
  const spec = ([ap, bp]: number[], yp: number): JobSpec => ({ op: OP.concat, x: ap, w: bp, y: yp, m: plan.rows, cols: plan.panels, c: p.ca, oc: p.cb });
  return { extra: [], inputs: p.m * p.ca, second: p.m * p.cb, outputs: p.m * (p.ca + p.cb), plan, spec, activation: null };
}

/** A step's op on x (or on an input of that many floats), its weights checked by `weights`. */
export function stepJob(ctx: OpContext, s: Step, x: Float32Array | number, weights: (packed: PackedWeights) => WasmWeights): OpJob {
  if (s.op === 'conv2d') return convJob(ctx, x, weights(s.packed), s.bias, s.params);
  if (s.op === 'maxpool2d') return poolJob(ctx, x, s.params);
  if (s.op === 'dense') return denseJob(ctx, x, weights(s.packed), s.bias, s.params);
  if (s.op === 'avgpool2d') return poolJob(ctx, x, s.params, s.params);
  if (s.op === 'pad2d') return padJob(ctx, x, s.params);
  if (s.op === 'batchNorm') return batchNormJob(ctx, x, s.scaleShift, s.params);
  if (s.op === 'depthwise2d') return depthwiseJob(ctx, x, weights(s.packed), s.bias, s.params);
  if (s.op === 'activation') return elementwiseJob(ctx, x, s.params);
  if (s.op === 'conv2dTranspose') return transposeJob(ctx, x, weights(s.packed), s.bias, s.params);
  if (s.op === 'upsampling2d') return upsampleJob(ctx, x, s.params);
  if (s.op === 'permute') return permuteJob(ctx, x, s.params);
  if (s.op === 'prelu') return preluJob(ctx, x, s.alpha, s.params);
  throw new TypeError(`Expected a known op for the op of a step but received ${String((s as { op: unknown }).op)}`);
}
