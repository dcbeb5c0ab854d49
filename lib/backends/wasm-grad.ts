// The backward passes of the wasm backend: a layer's backward as a run of jobs on its kernels
// (assembly/ops/activation-grad.ts, weighted-grad.ts, col2im.ts, maxpool2d-grad.ts and the GEMM
// of matmul.ts), one after another on this thread (sync) or on the workers (async), the inputs
// copied into the module's memory before the first job. The steps of
// native/ops/weighted-grad.cc: the layer's forward first when y is needed but not given, g = dy
// through the activation's derivative (taken at the pre-activation, from the forward run without
// its activation, where kernels.json lists it in activationsFromInput), db = column sums of g, then segment by segment dW (+)= A^T g and dA = g W^T (folded by col2im for a convolution).
// Every reduction's order is fixed by the shape, so the bits never depend on the thread count.
import { ACTIVATION, ACTIVATION_FROM_INPUT, GEMM_BLOCKING, PANEL_WIDTH, PLAN } from '../generated/kernels';
import { type Backend, type Conv2DGradParams, type DenseGradParams, type ForwardWeights, type PackedWeights, packedWeightsLength, type Step, type WeightedGrads, type WindowParams } from './backend';
import { checkConv2D, checkUngrouped, checkDense, checkMaxPool2D, lengthIs } from './check';
import { planActivation, planGemm, type PlanTarget } from './plan';
import type { Engine, WasmWeights } from './wasm-engine';
import { planned, plannedJob, stepJob, type OpJob, type PlannedJob } from './wasm-ops';
import { OP, type JobSpec } from './wasm-job';
import { float32Array } from '../validate';

/** What the backend lends the passes: its engine and plan target now, and its check of packed weights. */
export interface GradContext {
  engine(): Engine;
  target(): PlanTarget;
  weights(packed: PackedWeights): WasmWeights;
}

export type Jobs<T> = Generator<PlannedJob, T, void>;

/** a is a Float32Array of `expected` floats. */
export function arrayOf(name: string, a: Float32Array, expected: number): void {
  lengthIs(name, float32Array(name, a), expected);
}

/** A job of `tasks` tasks without cross-task sums, on up to `threads` participants. */
export function plain(spec: JobSpec, tasks: number, threads: number, slotBytes = 0): PlannedJob {
  spec.tasks = tasks;
  return [spec, Math.max(1, Math.min(threads, tasks)), slotBytes, 0];
}

/** The shape of a weighted layer's backward: A is m x k (Dense: x; Conv2D: im2col of x, window w), W is k x n. */
interface WeightedShape {
  m: number; k: number; n: number;
  inputs: number;
  activation: number;
  bias: boolean;
  window: WindowParams | null;
  /** The layer's forward, run first when y is needed but not given. */
  forward: Step | null;
}

/** Blocks of the module's memory a backward's jobs use, released together when the run ends. */
export class Blocks {
  readonly ptrs: number[] = [];
  constructor(private readonly e: Engine) {}
  keep(ptr: number): number {
    this.ptrs.push(ptr);
    return ptr;
  }
  alloc(floats: number): number {
    return this.keep(this.e.arena.alloc(Math.max(1, floats) * 4));
  }
  release(): void {
    this.ptrs.forEach((p) => this.e.arena.release(p));
  }
}

/**
 * x, dy and the kernel copied in, then the forward output the derivative reads: the layer's
 * forward run first (fwd, when y is needed but not given), y copied in, or 0 (linear).
 */
export function* backwardInputs(e: Engine, b: Blocks, fwd: OpJob | null, arrays: { x: Float32Array; dy: Float32Array; kernel: Float32Array; y: Float32Array | null },
  activation: number, outputs: number): Generator<PlannedJob, { xp: number; dyp: number; wp: number; yp: number }, void> {
  const xp = b.keep(e.put(arrays.x)), dyp = b.keep(e.put(arrays.dy)), wp = b.keep(e.put(arrays.kernel));
  let yp = 0;
  if (fwd) {
    yp = b.alloc(outputs);
    yield* planned(fwd, [xp, ...fwd.extra.map((a) => (a ? b.keep(e.put(a)) : 0))], yp);
  } else if (activation !== ACTIVATION.linear) {
    yp = b.keep(e.put(arrays.y as Float32Array));
  }
  return { xp, dyp, wp, yp };
}

/**
 * The jobs of a weighted layer's backward. Everything is copied in and allocated before the
 * first job; the blocks are freed when the run ends (or is ended early).
 */
function* weightedJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, s: WeightedShape): Jobs<WeightedGrads> {
  const e = ctx.engine(), t = ctx.target(), { m, k, n } = s;
  // The layer's forward on x, checked, when y is needed but not given.
  const fwd = s.forward && stepJob({ engine: e, target: t }, s.forward, x, (p) => ctx.weights(p));
  const threads = t.threads;
  // Segments of rows fixed by the shape (as native's): about four forward segments of A.
  const seg = s.window ? Math.min(m, Math.max(GEMM_BLOCKING.mc, Math.floor((4 * PLAN.segmentFloats) / Math.max(k, n)))) : m;
  const blocks = new Blocks(e), alloc = (floats: number) => blocks.alloc(floats);
  e.enter();
  try {
    const { xp, dyp, wp, yp } = yield* backwardInputs(e, blocks, fwd, { x, dy, kernel, y }, s.activation, m * n);
    const g = alloc(m * n), db = alloc(n), dw = alloc(k * n), dx = alloc(s.inputs);
    const wt = alloc(packedWeightsLength(n, k)), pg = alloc(packedWeightsLength(seg, n)), at = alloc(k * seg);
    const da = s.window ? alloc(seg * k) : 0;
    yield plannedJob({ op: OP.activationGrad, x: dyp, w: yp, y: g, activation: s.activation, m, cols: n }, planActivation(m, n, t));
    if (s.bias) yield plain({ op: OP.columnSums, x: g, y: db, m, cols: n }, 1, 1, n * 8);
    const pack = (src: number, rows: number, cols: number, lda: number, colStride: number, out: number) => {
      const panels = Math.ceil(cols / PANEL_WIDTH), per = Math.ceil(panels / threads);
      return plain({ op: OP.pack, x: src, y: out, k: rows, cols, lda, colStride, panelsPerTask: per }, Math.ceil(panels / per), rows * cols < PLAN.parallelActivations.wasm ? 1 : threads);
    };
    yield pack(wp, n, k, 1, n, wt); // W^T (n x k): B(j, i) = W(i, j)
    const win = s.window;
    for (let r0 = 0; r0 < m; r0 += seg) {
      const rows = Math.min(seg, m - r0);
      const expand = planActivation(rows, k, t);
      const spec: JobSpec = { op: OP.expandTransposed, x: xp, y: at, m: rows, k, row0: r0, rowsPerTask: expand.rowsPerTask };
      if (win) Object.assign(spec, { n: win.n, h: win.h, wd: win.w, c: win.c, kh: win.kh, kw: win.kw, sh: win.sh, sw: win.sw, dh: win.dh, dw: win.dw, pt: win.pt, pb: win.pb, pl: win.pl, pr: win.pr, oh: win.oh, ow: win.ow });
      yield plain(spec, expand.tasks, expand.threads, k * 4);
      yield pack(g + r0 * n * 4, rows, n, n, 1, pg);
      // dW (k x n) (+)= A^T g: K is the segment's rows.
      yield plannedJob({ op: OP.gemm, x: at, lda: rows, w: pg, bias: 0, y: dw, activation: ACTIVATION.linear, m: k, k: rows, cols: n, accumulate: r0 > 0 ? 1 : 0 }, planGemm(k, n, rows, t));
      // dA (rows x k) = g W^T: straight into dx for Dense.
      const out = win ? da : dx + r0 * k * 4;
      yield plannedJob({ op: OP.gemm, x: g + r0 * n * 4, lda: n, w: wt, bias: 0, y: out, activation: ACTIVATION.linear, m: rows, k: n, cols: k, accumulate: 0 }, planGemm(rows, k, n, t));
      if (win) {
        const pixels = win.oh * win.ow, images = Math.floor((r0 + rows - 1) / pixels) - Math.floor(r0 / pixels) + 1;
        yield plain({
          op: OP.col2im, x: da, y: dx, m: rows, row0: r0, h: win.h, wd: win.w, c: win.c, kh: win.kh, kw: win.kw, sh: win.sh, sw: win.sw,
          dh: win.dh, dw: win.dw, pt: win.pt, pl: win.pl, oh: win.oh, ow: win.ow,
        }, images, rows * k < PLAN.parallelActivations.wasm ? 1 : threads);
      }
    }
    return { dx: e.copyOut(dx, s.inputs), dw: e.copyOut(dw, k * n), db: s.bias ? e.copyOut(db, n) : null };
  } finally {
    blocks.release();
    e.leave();
  }
}

/** The max-pool backward job: one task per image. */
function* maxpoolJobs(ctx: GradContext, x: Float32Array, dy: Float32Array, p: WindowParams): Jobs<Float32Array> {
  const e = ctx.engine(), t = ctx.target(), inputs = p.n * p.h * p.w * p.c;
  const blocks = new Blocks(e);
  e.enter();
  try {
    const xp = blocks.keep(e.put(x));
    const dyp = blocks.keep(e.put(dy));
    const dx = blocks.alloc(inputs);
    const reads = p.n * p.oh * p.ow * p.kh * p.kw * p.c;
    yield plain({
      op: OP.maxpool2dGrad, x: xp, w: dyp, y: dx, n: p.n, h: p.h, wd: p.w, c: p.c, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw,
      dh: p.dh, dw: p.dw, pt: p.pt, pb: p.pb, pl: p.pl, pr: p.pr, oh: p.oh, ow: p.ow,
    }, p.n, reads < t.parallelReads ? 1 : t.threads, p.c * 8);
    return e.copyOut(dx, inputs);
  } finally {
    blocks.release();
    e.leave();
  }
}

export function runSync<T>(e: Engine, jobs: Jobs<T>): T {
  for (let r = jobs.next(); ; r = jobs.next()) {
    if (r.done) return r.value;
    try {
      e.runSync(...r.value);
    } catch (err) {
      jobs.return(undefined as never);
      throw err;
    }
  }
}

/** The jobs on the workers; the first step (the copies in) runs before this returns its Promise. */
export function runAsync<T>(e: Engine, jobs: Jobs<T>): Promise<T> {
  const first = jobs.next();
  return (async () => {
    for (let r = first; ; r = jobs.next()) {
      if (r.done) return r.value;
      try {
        await e.runAsync(...r.value);
      } catch (err) {
        jobs.return(undefined as never);
        throw err;
      }
    }
  })();
}

function convShape(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: Conv2DGradParams, f?: ForwardWeights): WeightedShape {
  checkUngrouped(p);
  const k = p.kh * p.kw * p.c, m = p.n * p.oh * p.ow;
  checkConv2D(x, { length: packedWeightsLength(k, p.oc) }, null, p);
  const forward = checkArrays(dy, y, kernel, p.activation, m * p.oc, k * p.oc, f);
  return {
    m, k, n: p.oc, inputs: x.length, activation: p.activation, bias: p.bias === true, window: p,
    forward: forward && { op: 'conv2d', packed: forward.packed, bias: forward.bias, params: { ...p, activation: forwardActivation(p.activation) } },
  };
}

function denseShape(x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: DenseGradParams, f?: ForwardWeights): WeightedShape {
  checkDense(x, { length: packedWeightsLength(p.k, p.n) }, null, p);
  const forward = checkArrays(dy, y, kernel, p.activation, p.m * p.n, p.k * p.n, f);
  return {
    m: p.m, k: p.k, n: p.n, inputs: x.length, activation: p.activation, bias: p.bias === true, window: null,
    forward: forward && { op: 'dense', packed: forward.packed, bias: forward.bias, params: { ...p, activation: forwardActivation(p.activation) } },
  };
}

/** The activation of the forward a backward runs: none where the derivative reads the pre-activation. */
export function forwardActivation(activation: number): number {
  return ACTIVATION_FROM_INPUT.includes(activation) ? ACTIVATION.linear : activation;
}

/**
 * The arrays checked; the forward weights when the call must run the forward (y needed, not
 * given, or the pre-activation needed).
 */
export function checkArrays(dy: Float32Array, y: Float32Array | null, kernel: Float32Array, activation: number, outputs: number, weights: number,
  f: ForwardWeights | undefined): ForwardWeights | null {
  arrayOf('dy', dy, outputs);
  arrayOf('kernel', kernel, weights);
  if (activation === ACTIVATION.linear) return null;
  if (ACTIVATION_FROM_INPUT.includes(activation)) {
    if (!f) throw new TypeError('Expected the forward weights for a backward through an activation whose derivative needs the pre-activation');
    return f;
  }
  if (y === null && f) return f;
  arrayOf('y', y as Float32Array, outputs);
  return null;
}

function checkPool(x: Float32Array, dy: Float32Array, p: WindowParams): void {
  checkMaxPool2D(x, p);
  arrayOf('dy', dy, p.n * p.oh * p.ow * p.c);
}

type GradMethods = Pick<Backend, 'conv2dBackward' | 'conv2dBackwardAsync' | 'denseBackward' | 'denseBackwardAsync' | 'maxpool2dBackward' | 'maxpool2dBackwardAsync'>;

/** The backward methods of the contract for the wasm backend that lends ctx. */
export function wasmGrads(ctx: GradContext): GradMethods {
  const sync = <T>(jobs: () => Jobs<T>) => runSync(ctx.engine(), jobs());
  const async = <T>(jobs: () => Jobs<T>) => runAsync(ctx.engine(), jobs());
  return {
    conv2dBackward: (x, dy, y, kernel, p, f) => sync(() => weightedJobs(ctx, x, dy, y, kernel, convShape(x, dy, y, kernel, p, f))),
    conv2dBackwardAsync: (x, dy, y, kernel, p, f) => async(() => weightedJobs(ctx, x, dy, y, kernel, convShape(x, dy, y, kernel, p, f))),
    denseBackward: (x, dy, y, kernel, p, f) => sync(() => weightedJobs(ctx, x, dy, y, kernel, denseShape(x, dy, y, kernel, p, f))),
    denseBackwardAsync: (x, dy, y, kernel, p, f) => async(() => weightedJobs(ctx, x, dy, y, kernel, denseShape(x, dy, y, kernel, p, f))),
    maxpool2dBackward: (x, dy, p) => (checkPool(x, dy, p), sync(() => maxpoolJobs(ctx, x, dy, p))),
    maxpool2dBackwardAsync: (x, dy, p) => (checkPool(x, dy, p), async(() => maxpoolJobs(ctx, x, dy, p))),
  };
}
