// The wasm backward passes of average pooling and of a standalone activation: one job each over
// dy (and x), as wasm-grad.ts runs them.
import type { ActivationOpParams, AvgPool2DParams, Backend } from './backend';
import { checkActivationOp, checkMaxPool2D } from './check';
import { planActivation } from './plan';
import { arrayOf, Blocks, type GradContext, type Jobs, plain, runAsync, runSync } from './wasm-grad';
import { activationRows, plannedJob } from './wasm-ops';
import { OP } from './wasm-job';

/** The average-pool backward job (assembly/ops/avgpool2d-grad.ts): one task per row of dx. */
function* avgpoolJobs(ctx: GradContext, dy: Float32Array, p: AvgPool2DParams): Jobs<Float32Array> {
  const e = ctx.engine(), t = ctx.target(), inputs = p.n * p.h * p.w * p.c;
  const blocks = new Blocks(e);
  e.enter();
  try {
    const dyp = blocks.keep(e.put(dy));
    const dx = blocks.alloc(inputs);
    const reads = inputs * p.kh * p.kw;
    yield plain({
      op: OP.avgpool2dGrad, w: dyp, y: dx, n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw,
      dh: p.dh, dw: p.dw, pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow, countPad: p.countIncludePad ? 1 : 0,
    }, p.n * p.h, reads < t.parallelReads ? 1 : t.threads);
    return e.copyOut(dx, inputs);
  } finally {
    blocks.release();
    e.leave();
  }
}

/** A standalone activation's backward: dx = dy * f'(x), tasks of whole rows. */
function* elementwiseJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, p: ActivationOpParams): Jobs<Float32Array> {
  const e = ctx.engine(), count = p.m * p.n * p.inner, { m, cols, k } = activationRows(p);
  const blocks = new Blocks(e);
  e.enter();
  try {
    const xp = blocks.keep(e.put(x));
    const dyp = blocks.keep(e.put(dy));
    const dx = blocks.alloc(count);
    const { activation, alpha, maxValue, threshold } = p;
    yield plannedJob({ op: OP.elementwiseGrad, x: xp, w: dyp, y: dx, m, cols, k, activation, alpha, maxValue, threshold }, planActivation(m, cols, ctx.target()));
    return e.copyOut(dx, count);
  } finally {
    blocks.release();
    e.leave();
  }
}

function checkAvgPool(dy: Float32Array, p: AvgPool2DParams): void {
  checkMaxPool2D(p.n * p.h * p.w * p.c, p, 'avgpool2d');
  arrayOf('dy', dy, p.n * p.oh * p.ow * p.c);
}

function checkElementwise(x: Float32Array, dy: Float32Array, p: ActivationOpParams): void {
  checkActivationOp(x, p);
  arrayOf('dy', dy, p.m * p.n * p.inner);
}

type WeightlessGradMethods = Pick<Backend, 'avgpool2dBackward' | 'avgpool2dBackwardAsync' | 'activationBackward' | 'activationBackwardAsync'>;

export function wasmWeightlessGrads(ctx: GradContext): WeightlessGradMethods {
  const sync = <T>(jobs: () => Jobs<T>) => runSync(ctx.engine(), jobs());
  const async = <T>(jobs: () => Jobs<T>) => runAsync(ctx.engine(), jobs());
  return {
    avgpool2dBackward: (dy, p) => (checkAvgPool(dy, p), sync(() => avgpoolJobs(ctx, dy, p))),
    avgpool2dBackwardAsync: (dy, p) => (checkAvgPool(dy, p), async(() => avgpoolJobs(ctx, dy, p))),
    activationBackward: (x, dy, p) => (checkElementwise(x, dy, p), sync(() => elementwiseJobs(ctx, x, dy, p))),
    activationBackwardAsync: (x, dy, p) => (checkElementwise(x, dy, p), async(() => elementwiseJobs(ctx, x, dy, p))),
  };
}
