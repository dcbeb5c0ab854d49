// PReLU's backward on the wasm backend, as one job (assembly/ops/prelu.ts) in the steps of
// native/ops/prelu.cc: chunks of rows fixed by the shape each write dx and their float64 sums of
// dy * x where x <= 0, which are then added here in chunk order (in float64, rounded once): the
// same bits as native, for any thread count.
import type { Backend, PReluGrads, PReluParams } from './backend';
import { checkPRelu } from './check';
import { PLAN } from '../generated/kernels';
import { ceilDiv } from './plan';
import { OP } from './wasm-job';
import { arrayOf, Blocks, type GradContext, type Jobs, runAsync, runSync } from './wasm-grad';

type Methods = Pick<Backend, 'preluBackward' | 'preluBackwardAsync'>;

function* preluJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, alpha: Float32Array, p: PReluParams): Jobs<PReluGrads> {
  const e = ctx.engine(), t = ctx.target(), { m, c } = p, blocks = new Blocks(e);
  const chunk = Math.max(1, Math.floor(PLAN.batchNormChunkFloats / c)), chunks = ceilDiv(m, chunk);
  e.enter();
  try {
    const xp = blocks.keep(e.put(x)), dyp = blocks.keep(e.put(dy)), ap = blocks.keep(e.put(alpha));
    const dx = blocks.alloc(m * c), sums = blocks.alloc(2 * chunks * c); // float64 partials
    const threads = m * c < t.parallelActivations ? 1 : Math.min(t.threads, chunks);
    yield [{ op: OP.preluGrad, x: xp, addend: dyp, w: ap, y: dx, bias: sums, m, c, rowsPerTask: chunk, tasks: chunks }, threads, 0, 0];
    const partial = new Float64Array(e.memory.buffer, sums, chunks * c), dalpha = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      let sum = partial[j];
      for (let i = 1; i < chunks; i++) sum += partial[i * c + j];
      dalpha[j] = sum;
    }
    return { dx: e.copyOut(dx, m * c), dalpha };
  } finally {
    blocks.release();
    e.leave();
  }
}

/** PReLU's backward for the wasm backend that lends ctx. */
export function wasmPRelu(ctx: GradContext): Methods {
  const back = (x: Float32Array, dy: Float32Array, alpha: Float32Array, p: PReluParams) => {
    checkPRelu(x, alpha, p);
    arrayOf('dy', dy, p.m * p.c);
    return preluJobs(ctx, x, dy, alpha, p);
  };
  return {
    preluBackward: (x, dy, alpha, p) => runSync(ctx.engine(), back(x, dy, alpha, p)),
    preluBackwardAsync: (x, dy, alpha, p) => runAsync(ctx.engine(), back(x, dy, alpha, p)),
  };
}
