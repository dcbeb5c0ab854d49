// The wasm backend's DepthwiseConv2D backward as a run of jobs (assembly/ops/depthwise2d-grad.ts),
// the steps of native/ops/depthwise2d-grad.cc: the forward first when y is needed but not given,
// g = dy through the activation's derivative, dx (a task per input row, gathering), dW and db (a
// task per 16 output channels, summing over the pixels in order). No order depends on the threads.
import type { Backend, Depthwise2DGradParams, ForwardWeights } from './backend';
import { packedWeightsLength } from './backend';
import { checkDepthwise2D } from './check';
import { planActivation } from './plan';
import { plannedJob, stepJob } from './wasm-ops';
import { OP } from './wasm-job';
import { backwardInputs, Blocks, checkArrays, forwardActivation, type GradContext, type Jobs, plain, runAsync, runSync } from './wasm-grad';
import type { WeightedGrads } from './backend';

const CHANNELS_PER_TASK = 16;

function* depthwiseJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Depthwise2DGradParams,
  f: ForwardWeights | undefined): Jobs<WeightedGrads> {
  const taps = p.kh * p.kw, m = p.n * p.oh * p.ow, oc = p.oc;
  checkDepthwise2D(x, { length: packedWeightsLength(taps, oc) }, null, p);
  const forward = checkArrays(dy, y, kernel, p.activation, m * oc, taps * oc, f);
  const e = ctx.engine(), t = ctx.target();
  const fwd = forward && stepJob({ engine: e, target: t }, { op: 'depthwise2d', packed: forward.packed, bias: forward.bias, params: { ...p, activation: forwardActivation(p.activation) } }, x, (q) => ctx.weights(q));
  const blocks = new Blocks(e), alloc = (floats: number) => blocks.alloc(floats);
  e.enter();
  try {
    const { xp, dyp, wp, yp } = yield* backwardInputs(e, blocks, fwd, { x, dy, kernel, y }, p.activation, m * oc);
    const g = alloc(m * oc), dx = alloc(x.length), dw = alloc(taps * oc), db = p.bias ? alloc(oc) : 0;
    yield plannedJob({ op: OP.activationGrad, x: dyp, w: yp, y: g, activation: p.activation, m, cols: oc }, planActivation(m, oc, t));
    const geometry = { n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw, pt: p.pt, pl: p.pl, oh: p.oh, ow: p.ow, oc };
    const threads = m * taps * oc < t.parallelMacs ? 1 : t.threads;
    yield plain({ op: OP.depthwise2dGradInput, x: g, w: wp, y: dx, ...geometry }, p.n * p.h, threads, p.c * 8);
    const tasks = Math.ceil(oc / CHANNELS_PER_TASK);
    yield plain({ op: OP.depthwise2dGradFilter, x: xp, w: g, y: dw, bias: db, ...geometry }, tasks, threads, (taps + 1) * CHANNELS_PER_TASK * 8);
    return { dx: e.copyOut(dx, x.length), dw: e.copyOut(dw, taps * oc), db: p.bias ? e.copyOut(db, oc) : null };
  } finally {
    blocks.release();
    e.leave();
  }
}

/** The depthwise backward methods of the contract for the wasm backend that lends ctx. */
export function wasmDepthwiseGrads(ctx: GradContext): Pick<Backend, 'depthwise2dBackward' | 'depthwise2dBackwardAsync'> {
  return {
    depthwise2dBackward: (x, dy, y, kernel, p, f) => runSync(ctx.engine(), depthwiseJobs(ctx, x, dy, y, kernel, p, f)),
    depthwise2dBackwardAsync: (x, dy, y, kernel, p, f) => runAsync(ctx.engine(), depthwiseJobs(ctx, x, dy, y, kernel, p, f)),
  };
}
