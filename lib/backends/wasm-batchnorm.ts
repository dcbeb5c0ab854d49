// Batch normalization's training calls on the wasm backend, as runs of jobs (assembly/ops/
// batchnorm.ts) in the steps of native/ops/batchnorm.cc: per-channel sums over chunks of rows
// fixed by the shape (channelSums; the chunks' partial sums added here in chunk order, in
// float32), the per-channel coefficients in float64 rounded once, then one channelAffine pass.
// The same bits for any thread count.
import type { Backend, BatchNormGrads, BatchNormStats, BatchNormTrainParams } from './backend';
import { checkBatchNorm, lengthIs } from './check';
import { PLAN } from '../generated/kernels';
import { ceilDiv, planBatchNorm } from './plan';
import { plannedJob } from './wasm-ops';
import { OP } from './wasm-job';
import { Blocks, runAsync, runSync, type GradContext, type Jobs } from './wasm-grad';
import { fail, float32Array } from '../validate';

type Methods = Pick<Backend, 'batchNormTraining' | 'batchNormTrainingAsync' | 'batchNormBackward' | 'batchNormBackwardAsync'>;

function checkTrain(x: Float32Array, p: BatchNormTrainParams, vectors: [string, Float32Array | null][]): void {
  checkBatchNorm(x, new Float32Array(2 * p.c), p);
  if (typeof p.epsilon !== 'number' || !(p.epsilon > 0) || !Number.isFinite(p.epsilon)) fail('range', 'positive finite number', 'params.epsilon', p.epsilon);
  if (p.frozen !== undefined && typeof p.frozen !== 'boolean') fail('type', 'boolean', 'params.frozen', p.frozen);
  for (const [name, v] of vectors) if (v !== null) lengthIs(name, float32Array(name, v), p.c);
}

/** The module's work for one call: blocks placed and freed, jobs yielded in order. */
function* batchNormJobs<T>(ctx: GradContext, m: number, c: number, body: (io: BatchNormIo) => Jobs<T>): Jobs<T> {
  const e = ctx.engine(), t = ctx.target(), blocks = new Blocks(e), keep = (ptr: number) => blocks.keep(ptr);
  const chunk = Math.max(1, Math.floor(PLAN.batchNormChunkFloats / c)), chunks = ceilDiv(m, chunk);
  e.enter();
  try {
    const partial = keep(e.arena.alloc(chunks * 2 * c * 4));
    const io: BatchNormIo = {
      put: (a) => keep(e.put(a)),
      alloc: (floats) => keep(e.arena.alloc(floats * 4)),
      out: (ptr, floats) => e.copyOut(ptr, floats),
      // [s1 | s2] of each channel over the m rows, chunk by chunk, the chunks added in order.
      *sums(x, y, uv) {
        const threads = m * c < t.parallelActivations ? 1 : Math.min(t.threads, chunks);
        yield [{ op: OP.channelSums, x, addend: y, w: uv, y: partial, m, c, rowsPerTask: chunk, tasks: chunks }, threads, 0, 0];
        const p = e.copyOut(partial, chunks * 2 * c), s = p.slice(0, 2 * c);
        for (let i = 1; i < chunks; i++) for (let j = 0; j < 2 * c; j++) s[j] = Math.fround(s[j] + p[i * 2 * c + j]);
        return s;
      },
      affine: (x, st, x2, us2, y) => plannedJob({ op: OP.channelAffine, x, w: st, addend: x2, bias: us2, y, m, c }, planBatchNorm(m, c, t)),
    };
    return yield* body(io);
  } finally {
    blocks.release();
    e.leave();
  }
}

interface BatchNormIo {
  put(a: Float32Array): number;
  alloc(floats: number): number;
  out(ptr: number, floats: number): Float32Array;
  sums(x: number, y: number, uv: number): Jobs<Float32Array>;
  affine(x: number, st: number, x2: number, us2: number, y: number): ReturnType<typeof plannedJob>;
}

function* trainingJobs(io: BatchNormIo, x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, p: BatchNormTrainParams): Jobs<BatchNormStats> {
  const { m, c } = p, xp = io.put(x);
  const first = yield* io.sums(xp, xp, io.put(new Float32Array(2 * c)));
  const mean = new Float32Array(c);
  for (let j = 0; j < c; j++) mean[j] = first[j] / m;
  const centers = new Float32Array(2 * c);
  centers.set(mean);
  centers.set(mean, c);
  const second = yield* io.sums(xp, xp, io.put(centers));
  const variance = new Float32Array(c), st = new Float32Array(2 * c);
  for (let j = 0; j < c; j++) {
    variance[j] = second[c + j] / m;
    const scale = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + p.epsilon);
    st[j] = scale;
    st[c + j] = (beta ? beta[j] : 0) - mean[j] * scale;
  }
  const y = io.alloc(m * c);
  yield io.affine(xp, io.put(st), 0, 0, y);
  return { y: io.out(y, m * c), mean, variance };
}

function* backwardJobs(io: BatchNormIo, x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null,
  p: BatchNormTrainParams): Jobs<BatchNormGrads> {
  const { m, c } = p, xp = io.put(x), dyp = io.put(dy);
  const centers = new Float32Array(2 * c);
  centers.set(mean);
  const s = yield* io.sums(xp, dyp, io.put(centers));
  const dgamma = new Float32Array(c), dbeta = s.slice(0, c), st = new Float32Array(2 * c), us2 = new Float32Array(2 * c);
  for (let j = 0; j < c; j++) {
    const inv = 1 / Math.sqrt(variance[j] + p.epsilon), g = gamma ? gamma[j] : 1, s1 = s[j], s2 = s[c + j];
    dgamma[j] = s2 * inv;
    // dx = dy * a + shift + (x - mean) * b, with a = g / sigma, b = -g s2 / (m sigma^3).
    st[j] = g * inv;
    st[c + j] = p.frozen ? 0 : (-g * inv * s1) / m;
    us2[j] = mean[j];
    us2[c + j] = (-g * s2 * inv * inv * inv) / m;
  }
  const dx = io.alloc(m * c);
  // Frozen (inference's form): dx = dy * a.
  yield io.affine(dyp, io.put(st), p.frozen ? 0 : xp, p.frozen ? 0 : io.put(us2), dx);
  return { dx: io.out(dx, m * c), dgamma, dbeta };
}

/** The batch-normalization methods of the contract for the wasm backend that lends ctx. */
export function wasmBatchNorm(ctx: GradContext): Methods {
  const train = (x: Float32Array, g: Float32Array | null, b: Float32Array | null, p: BatchNormTrainParams) => {
    checkTrain(x, p, [['gamma', g], ['beta', b]]);
    return batchNormJobs(ctx, p.m, p.c, (io) => trainingJobs(io, x, g, b, p));
  };
  const back = (x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, g: Float32Array | null, p: BatchNormTrainParams) => {
    checkTrain(x, p, [['mean', mean], ['variance', variance], ['gamma', g]]);
    lengthIs('dy', float32Array('dy', dy), p.m * p.c);
    return batchNormJobs(ctx, p.m, p.c, (io) => backwardJobs(io, x, dy, mean, variance, g, p));
  };
  return {
    batchNormTraining: (x, g, b, p) => runSync(ctx.engine(), train(x, g, b, p)),
    batchNormTrainingAsync: (x, g, b, p) => runAsync(ctx.engine(), train(x, g, b, p)),
    batchNormBackward: (x, dy, mean, v, g, p) => runSync(ctx.engine(), back(x, dy, mean, v, g, p)),
    batchNormBackwardAsync: (x, dy, mean, v, g, p) => runAsync(ctx.engine(), back(x, dy, mean, v, g, p)),
  };
}
