// The merge ops (mirrors native/ops/merge.cc): elementwise y = op(x, w) of two inputs that
// broadcast (each input's strides over the n x h x wd rows, 0 where it spreads, and 1 or 0 along
// the row of c floats: x's in kh, kw, sh, sw, w's in dh, dw, pt, pb; the op in k), divided by
// beta unless it is 0 (Average); concat y[m x (c + oc)] = [x | w] row by row. Task t is a run of
// units, a unit one row's segment of at most kChunk floats (cols segments per row). And the
// backward of a merge (kernels.json's job.mergeFieldsComment).
import { MERGE_ADD, MERGE_MAXIMUM, MERGE_MINIMUM, MERGE_MULTIPLY, MERGE_SUBTRACT } from '../generated/kernels';
import { Job } from '../generated/job';
import { copyFloats } from '../kernels/copy';

// @ts-ignore: decorator
@inline
function op1(mode: i32, a: f32, b: f32): f32 {
  if (mode == MERGE_ADD) return a + b;
  if (mode == MERGE_SUBTRACT) return a - b;
  if (mode == MERGE_MULTIPLY) return a * b;
  if (mode == MERGE_MAXIMUM) return a > b || a != a ? a : b;
  return a < b || a != a ? a : b;
}

// @ts-ignore: decorator
@inline
function opv(mode: i32, a: v128, b: v128): v128 {
  if (mode == MERGE_ADD) return f32x4.add(a, b);
  if (mode == MERGE_SUBTRACT) return f32x4.sub(a, b);
  if (mode == MERGE_MULTIPLY) return f32x4.mul(a, b);
  // A NaN on either side wins, and ties give b, as native's rule: the same bits on both backends.
  const pick = mode == MERGE_MAXIMUM ? f32x4.gt(a, b) : f32x4.lt(a, b);
  return v128.bitselect(a, b, v128.or(pick, f32x4.ne(a, a)));
}

/**
 * One row segment of n floats: a and b step by 4 bytes per float, or stay (a spread float). One
 * loop for every op, the op chosen per vector (a branch the CPU predicts): a copy per op measured
 * no faster on the merge workloads and cost the module 2 KB.
 */
function row(mode: i32, n: i32, a: usize, aStep: bool, b: usize, bStep: bool, divisor: f32, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Both inputs stepping and no division (an Add, Multiply, ... of equal shapes): whole vectors
    // in a loop of loads, the op and a store; the tail below.
    if (aStep && bStep && divisor == 0) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(y + o, opv(mode, v128.load(a + o), v128.load(b + o)));
      }
    }
    const sa = v128.load32_splat(a), sb = v128.load32_splat(b), d = f32x4.splat(divisor);
    // Four floats a step, then the last few one at a time through the same op on one lane (no
    // scalar copy of the ops in the module).
    while (i < n) {
      const o = <usize>i << 2, whole = i + 4 <= n;
      const va = aStep ? (whole ? v128.load(a + o) : v128.load32_splat(a + o)) : sa;
      const vb = bStep ? (whole ? v128.load(b + o) : v128.load32_splat(b + o)) : sb;
      let v = opv(mode, va, vb);
      if (divisor != 0) v = f32x4.div(v, d);
      if (whole) {
        v128.store(y + o, v);
        i += 4;
      } else {
        store<f32>(y + o, f32x4.extract_lane(v, 0));
        i++;
      }
    }
    return;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = op1(mode, load<f32>(aStep ? a + o : a), load<f32>(bStep ? b + o : b));
    if (divisor != 0) v = v / divisor;
    store<f32>(y + o, v);
  }
}

export function mergeTask(j: Job, t: i32): void {
  const u0 = t * j.rowsPerTask, u1 = min(j.m, u0 + j.rowsPerTask), seg = j.kChunk, segs = j.cols;
  for (let u = u0; u < u1; u++) {
    const r = u / segs, c0 = (u % segs) * seg, n = min(j.c - c0, seg);
    const i2 = r % j.wd, i1 = r / j.wd % j.h, i0 = r / j.wd / j.h;
    const xo = i0 * j.kh + i1 * j.kw + i2 * j.sh + c0 * j.sw, wo = i0 * j.dh + i1 * j.dw + i2 * j.pt + c0 * j.pb;
    const y = <usize>j.y + ((<usize>r * j.c + c0) << 2);
    row(j.k, n, <usize>j.x + (<usize>xo << 2), j.sw != 0, <usize>j.w + (<usize>wo << 2), j.pb != 0, j.beta, y);
  }
}

/** Copies between y's rows [x | w] and x and w: into y (concat) or out of it (split: the backward). */
export function concatTask(j: Job, t: i32, split: bool): void {
  const u0 = t * j.rowsPerTask, u1 = min(j.m, u0 + j.rowsPerTask), seg = j.kChunk, segs = j.cols;
  const ca = j.c, cb = j.oc, c = ca + cb;
  for (let u = u0; u < u1; u++) {
    const r = u / segs, c0 = (u % segs) * seg, c1 = min(c, c0 + seg);
    const y = <usize>j.y + (<usize>r * c << 2);
    if (c0 < ca) {
      const yp = y + (<usize>c0 << 2), xp = <usize>j.x + ((<usize>r * ca + c0) << 2), bytes = <usize>(min(c1, ca) - c0) << 2;
      if (split) copyFloats(xp, yp, bytes);
      else copyFloats(yp, xp, bytes);
    }
    if (c1 > ca) {
      const from = max(c0, ca);
      const yp = y + (<usize>from << 2), wp = <usize>j.w + ((<usize>r * cb + from - ca) << 2), bytes = <usize>(c1 - from) << 2;
      if (split) copyFloats(wp, yp, bytes);
      else copyFloats(yp, wp, bytes);
    }
  }
}



// @ts-ignore: decorator
@inline
function share(mode: i32, which: i32, g: f32, av: f32, bv: f32): f32 {
  if (mode == MERGE_SUBTRACT) return which != 0 ? -g : g;
  if (mode == MERGE_MULTIPLY) return g * (which != 0 ? av : bv);
  if (mode == MERGE_MAXIMUM) return (av >= bv) == (which == 0) ? g : 0;
  if (mode == MERGE_MINIMUM) return (av <= bv) == (which == 0) ? g : 0;
  return g;
}

/**
 * The backward of a merge for one input (job.activation: 0 for x's gradient, 1 for w's), its
 * floats in tasks of rowsPerTask. Shapes: x's in n, h, wd, c; w's in kh, kw, sh, sw; y's in oh,
 * ow, dh, dw (4-D each); dy at bias; the gradient written at y. Each float sums over the axes its
 * input spreads along, in row-major order of the output (native/ops/merge-grad.cc).
 */
export function mergeGradTask(j: Job, t: i32): void {
  const which = j.activation;
  const ys0 = j.oh, ys1 = j.ow, ys2 = j.dh, ys3 = j.dw;
  const a0 = j.n, a1 = j.h, a2 = j.wd, a3 = j.c, b0 = j.kh, b1 = j.kw, b2 = j.sh, b3 = j.sw;
  const x0 = which != 0 ? b0 : a0, x1 = which != 0 ? b1 : a1, x2 = which != 0 ? b2 : a2, x3 = which != 0 ? b3 : a3;
  // Row-major strides, 0 along the axes where the input spreads.
  const sa3 = a3 == ys3 ? 1 : 0, sa2 = a2 == ys2 ? a3 : 0, sa1 = a1 == ys1 ? a3 * a2 : 0, sa0 = a0 == ys0 ? a3 * a2 * a1 : 0;
  const sb3 = b3 == ys3 ? 1 : 0, sb2 = b2 == ys2 ? b3 : 0, sb1 = b1 == ys1 ? b3 * b2 : 0, sb0 = b0 == ys0 ? b3 * b2 * b1 : 0;
  const floats = x0 * x1 * x2 * x3, e0 = t * j.rowsPerTask, e1 = min(floats, e0 + j.rowsPerTask);
  const divisor = j.beta, mode = j.k;
  for (let e = e0; e < e1; e++) {
    const i3 = e % x3, i2 = e / x3 % x2, i1 = e / x3 / x2 % x1, i0 = e / x3 / x2 / x1;
    const lo0 = x0 != ys0 ? 0 : i0, hi0 = x0 != ys0 ? ys0 : i0 + 1;
    const lo1 = x1 != ys1 ? 0 : i1, hi1 = x1 != ys1 ? ys1 : i1 + 1;
    const lo2 = x2 != ys2 ? 0 : i2, hi2 = x2 != ys2 ? ys2 : i2 + 1;
    const lo3 = x3 != ys3 ? 0 : i3, hi3 = x3 != ys3 ? ys3 : i3 + 1;
    let sum: f32 = 0;
    for (let p0 = lo0; p0 < hi0; p0++)
      for (let p1 = lo1; p1 < hi1; p1++)
        for (let p2 = lo2; p2 < hi2; p2++)
          for (let p3 = lo3; p3 < hi3; p3++) {
            const av = load<f32>(<usize>j.x + (<usize>(p0 * sa0 + p1 * sa1 + p2 * sa2 + p3 * sa3) << 2));
            const bv = load<f32>(<usize>j.w + (<usize>(p0 * sb0 + p1 * sb1 + p2 * sb2 + p3 * sb3) << 2));
            let g = load<f32>(<usize>j.bias + (<usize>(((p0 * ys1 + p1) * ys2 + p2) * ys3 + p3) << 2));
            if (divisor != 0) g = g / divisor;
            sum += share(mode, which, g, av, bv);
          }
    store<f32>(<usize>j.y + (<usize>e << 2), sum);
  }
}
