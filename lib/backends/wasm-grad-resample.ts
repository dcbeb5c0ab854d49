// The wasm backward passes of Conv2DTranspose and UpSampling2D, as runs of jobs (wasm-grad.ts's
// way): the steps of native/ops/conv2d-transpose-grad.cc and upsampling2d.cc.
import { ACTIVATION, ACTIVATION_FROM_INPUT, GEMM_BLOCKING, PANEL_WIDTH, PATH, PLAN } from '../generated/kernels';
import type { Backend, Conv2DParams, Conv2DTransposeGradParams, Conv2DTransposeParams, ForwardWeights, UpSampling2DParams, WeightedGrads } from './backend';
import { packedWeightsLength } from './backend';
import { checkConv2DTranspose } from './check';
import { planActivation, planConv2D, planGemm } from './plan';
import { arrayOf, backwardInputs, Blocks, forwardActivation, type GradContext, type Jobs, plain, runAsync, runSync } from './wasm-grad';
import { planned, plannedJob, stepJob, upsampleJob } from './wasm-ops';
import { OP, type JobSpec } from './wasm-job';

/**
 * The convolution a transposed one is the input gradient of: it reads [n, oh, ow, oc] and gives
 * [n, h, w, c], its end pads as far as its windows reach (an output cropped below them is never
 * read), kept off the 1x1 GEMM path when the sizes differ (that path reads rows as pixels).
 */
export function transposedConvolution(p: Conv2DTransposeParams): Conv2DParams {
  const end = (inSize: number, out: number, k: number, s: number, d: number, begin: number) => Math.max(0, (out - 1) * s + (k - 1) * d + 1 - inSize - begin);
  let pb = end(p.oh, p.h, p.kh, p.sh, p.dh, p.pt);
  const pr = end(p.ow, p.w, p.kw, p.sw, p.dw, p.pl);
  if (p.kh === 1 && p.kw === 1 && p.sh === 1 && p.sw === 1 && (p.oh !== p.h || p.ow !== p.w)) pb = 1;
  return {
    n: p.n, h: p.oh, w: p.ow, c: p.oc, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw,
    pt: p.pt, pb, pl: p.pl, pr, oh: p.h, ow: p.w, oc: p.c, activation: ACTIVATION.linear,
  };
}

function* transposeJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DTransposeGradParams, f?: ForwardWeights): Jobs<WeightedGrads> {
  const e = ctx.engine(), t = ctx.target(), threads = t.threads;
  const oc = p.oc, c = p.c, k = p.kh * p.kw * oc, m = p.n * p.oh * p.ow, pixels = p.n * p.h * p.w;
  const conv = transposedConvolution(p);
  // The forward runs first when the derivative needs y and it is not given, or needs the pre-activation.
  const needsForward = p.activation !== ACTIVATION.linear && (y === null || ACTIVATION_FROM_INPUT.includes(p.activation));
  const forward = { op: 'conv2dTranspose' as const, packed: f?.packed as ForwardWeights['packed'], bias: f?.bias ?? null, params: { ...p, activation: forwardActivation(p.activation) } };
  const fwd = needsForward && f ? stepJob({ engine: e, target: t }, forward, x, (w) => ctx.weights(w)) : null;
  const seg = Math.min(pixels, Math.max(GEMM_BLOCKING.mc, Math.floor((4 * PLAN.segmentFloats) / Math.max(k, c))));
  const blocks = new Blocks(e), alloc = (floats: number) => blocks.alloc(floats);
  e.enter();
  try {
    const { xp, dyp, wp, yp } = yield* backwardInputs(e, blocks, fwd, { x, dy, kernel, y }, p.activation, m * oc);
    const g = alloc(m * oc), db = alloc(oc), dw = alloc(k * c), dx = alloc(pixels * c);
    const pw = alloc(packedWeightsLength(k, c)), px = alloc(packedWeightsLength(seg, c)), at = alloc(k * seg);
    yield plannedJob({ op: OP.activationGrad, x: dyp, w: yp, y: g, activation: p.activation, m, cols: oc }, planActivation(m, oc, t));
    if (p.bias) yield plain({ op: OP.columnSums, x: g, y: db, m, cols: oc }, 1, 1, oc * 8);
    const pack = (src: number, rows: number, cols: number, out: number) => {
      const panels = Math.ceil(cols / PANEL_WIDTH), per = Math.ceil(panels / threads);
      return plain({ op: OP.pack, x: src, y: out, k: rows, cols, lda: cols, colStride: 1, panelsPerTask: per }, Math.ceil(panels / per), rows * cols < PLAN.parallelActivations.wasm ? 1 : threads);
    };
    // dx = the convolution of g with the kernel ([kh, kw, oc, c] is its HWIO), each task's indirection in its slot.
    yield pack(wp, k, c, pw);
    const plan = planConv2D(conv, t);
    const spec: JobSpec = {
      op: OP.conv2d, x: g, w: pw, bias: 0, y: dx, activation: ACTIVATION.linear, m: plan.rows, k, lda: k, cols: c,
      n: conv.n, h: conv.h, wd: conv.w, c: conv.c, kh: conv.kh, kw: conv.kw, sh: conv.sh, sw: conv.sw, dh: conv.dh, dw: conv.dw,
      pt: conv.pt, pb: conv.pb, pl: conv.pl, pr: conv.pr, oh: conv.oh, ow: conv.ow, oc: conv.oc,
    };
    if (plan.path === PATH.indirectGemm) spec.zeros = e.zeros(conv.c);
    yield plannedJob(spec, plan);
    // dW (k x c) (+)= im2col(g)^T x, segment by segment of the input pixels.
    for (let r0 = 0; r0 < pixels; r0 += seg) {
      const rows = Math.min(seg, pixels - r0), expand = planActivation(rows, k, t);
      yield plain({
        op: OP.expandTransposed, x: g, y: at, m: rows, k, row0: r0, rowsPerTask: expand.rowsPerTask,
        n: conv.n, h: conv.h, wd: conv.w, c: conv.c, kh: conv.kh, kw: conv.kw, sh: conv.sh, sw: conv.sw, dh: conv.dh, dw: conv.dw,
        pt: conv.pt, pb: conv.pb, pl: conv.pl, pr: conv.pr, oh: conv.oh, ow: conv.ow,
      }, expand.tasks, expand.threads, k * 4);
      yield pack(xp + r0 * c * 4, rows, c, px);
      yield plannedJob({ op: OP.gemm, x: at, lda: rows, w: px, bias: 0, y: dw, activation: ACTIVATION.linear, m: k, k: rows, cols: c, accumulate: r0 > 0 ? 1 : 0 }, planGemm(k, c, rows, t));
    }
    return { dx: e.copyOut(dx, pixels * c), dw: e.copyOut(dw, k * c), db: p.bias ? e.copyOut(db, oc) : null };
  } finally {
    blocks.release();
    e.leave();
  }
}

function* upsampleGradJobs(ctx: GradContext, dy: Float32Array, p: UpSampling2DParams): Jobs<Float32Array> {
  const e = ctx.engine(), op = upsampleJob({ engine: e, target: ctx.target() }, dy.length, p, true);
  arrayOf('dy', dy, op.inputs);
  const blocks = new Blocks(e);
  e.enter();
  try {
    const dyp = blocks.keep(e.put(dy));
    const dx = blocks.alloc(op.outputs);
    yield* planned(op, [dyp], dx);
    return e.copyOut(dx, op.outputs);
  } finally {
    blocks.release();
    e.leave();
  }
}

function checkTranspose(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DTransposeGradParams, f?: ForwardWeights): void {
  const k = p.kh * p.kw * p.oc, outputs = p.n * p.oh * p.ow * p.oc;
  checkConv2DTranspose(x, { length: packedWeightsLength(p.c, k) }, null, p);
  arrayOf('dy', dy, outputs);
  arrayOf('kernel', kernel, k * p.c);
  if (p.activation !== ACTIVATION.linear && !(y === null && f)) arrayOf('y', y as Float32Array, outputs);
}

type ResampleGradMethods = Pick<Backend, 'conv2dTransposeBackward' | 'conv2dTransposeBackwardAsync' | 'upsampling2dBackward' | 'upsampling2dBackwardAsync'>;

/** The backward methods of Conv2DTranspose and UpSampling2D for the wasm backend that lends ctx. */
export function wasmResampleGrads(ctx: GradContext): ResampleGradMethods {
  return {
    conv2dTransposeBackward: (x, dy, y, kernel, p, f) => (checkTranspose(x, dy, y, kernel, p, f), runSync(ctx.engine(), transposeJobs(ctx, x, dy, y, kernel, p, f))),
    conv2dTransposeBackwardAsync: (x, dy, y, kernel, p, f) => (checkTranspose(x, dy, y, kernel, p, f), runAsync(ctx.engine(), transposeJobs(ctx, x, dy, y, kernel, p, f))),
    upsampling2dBackward: (dy, p) => runSync(ctx.engine(), upsampleGradJobs(ctx, dy, p)),
    upsampling2dBackwardAsync: (dy, p) => runAsync(ctx.engine(), upsampleGradJobs(ctx, dy, p)),
  };
}
