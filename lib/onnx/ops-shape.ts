// Layout and shape ops. On the model's tensors: Flatten, Reshape, Squeeze, Unsqueeze, Transpose
// and Concat, with their axes read in the layout each value is held in. On constants (shape
// subgraphs, weights): the same ops and Shape, Gather, Slice, Cast, Constant, ConstantOfShape, folded.
import { Concatenate } from '../layers/concatenate';
import { Flatten } from '../layers/flatten';
import { Permute } from '../layers/permute';
import { Reshape } from '../layers/reshape';
import { type Const, type Context, IN_NHWC, type Sym, type Value } from './context';
import { type OnnxTensor, refuse } from './graph';
import type { Converter } from './ops-conv';
import { gatherConst, product, sliceConst, transposeConst } from './fold';

const ints = (ctx: Context, i: number, what: string): number[] => Array.from(ctx.constant(i, what).data, Number);
const intConst = (dims: number[], data: number[]): Const => ({ kind: 'const', dims, data, type: 'int64' });
/** ONNX keeps rank-1 tensors [N]; convkit's have an axis after the batch: [N, 1]. */
const atLeast2 = (dims: number[]): number[] => (dims.length === 1 ? [dims[0], 1] : dims);

export function tensorConst(t: OnnxTensor): Const {
  return { kind: 'const', dims: t.dims, type: t.type, data: t.data ?? [] };
}

/** x reshaped to ONNX dims `to` (the batch first and kept). */
function reshapeSym(ctx: Context, x: Sym, to: number[]): Sym {
  const [, c, h, w] = x.dims;
  if (x.dims.length === 4 && to.length === 2 && to[1] === c * h * w) return flatten(ctx, x);
  return ctx.value(ctx.apply(new Reshape({ targetShape: atLeast2(to).slice(1), name: ctx.name() }), ctx.plain(x)), to);
}

/** [N, C, H, W] -> [N, C*H*W]: in ONNX's order, and flattened NHWC for a Gemm after it (which permutes its rows). */
function flatten(ctx: Context, x: Sym): Sym {
  if (x.dims.length <= 2) return x.dims.length === 2 ? x : { ...x, dims: [x.dims[0], 1] };
  const [n, c, h, w] = x.dims, dims = [n, product(x.dims.slice(1))];
  // With one channel or one pixel, NHWC and NCHW hold the floats in the same order.
  const trivial = x.nhwc && (c === 1 || h * w === 1);
  const y = ctx.value(ctx.apply(new Flatten({ name: ctx.name() }), trivial ? x.t : ctx.plain(x)), dims);
  if (x.nhwc && !trivial) y.flat = { t: ctx.apply(new Flatten({ name: ctx.name('_nhwc') }), x.t), c, h, w };
  return y;
}

function flattenOp(ctx: Context): Value[] {
  const x = ctx.input(0)!, r = x.dims.length;
  let axis = ctx.attr('axis', 1);
  if (axis < 0) axis += r;
  const to = [product(x.dims.slice(0, axis)), product(x.dims.slice(axis))];
  if (x.kind === 'const') return [{ ...x, dims: to }];
  if (axis !== 1) refuse(ctx.node, `${ctx.attr('axis', 1)} merges the batch axis with others: convkit keeps the batch axis`, 'axis');
  return [flatten(ctx, x)];
}

function reshape(ctx: Context): Value[] {
  const x = ctx.input(0)!, target = ints(ctx, 1, 'shape'), allowzero = ctx.attr('allowzero', 0) === 1;
  const to = target.map((d, i) => (d === 0 && !allowzero ? x.dims[i] : d));
  const free = to.indexOf(-1);
  if (free >= 0) {
    // The batch is NaN when unknown: infer the free axis from the other axes.
    const batchKept = free !== 0 && (to[0] === x.dims[0] || (Number.isNaN(to[0]) && Number.isNaN(x.dims[0])));
    const known = product(to.filter((_, i) => i !== free && !(batchKept && i === 0)));
    to[free] = (batchKept ? product(x.dims.slice(1)) : product(x.dims)) / known;
    if (free === 0 && known === product(x.dims.slice(1))) to[0] = x.dims[0];
  }
  if (x.kind === 'const') return [{ ...x, dims: to }];
  const sameBatch = to[0] === x.dims[0] || (Number.isNaN(to[0]) && Number.isNaN(x.dims[0]));
  if (!sameBatch || to.slice(1).some((d) => !Number.isInteger(d) || d < 1)) {
    refuse(ctx.node, `[${target.join(', ')}] gives [${to.join(', ')}] from [${x.dims.join(', ')}]: convkit keeps the batch axis first (its size resolved at load for the rest)`, 'shape');
  }
  return [reshapeSym(ctx, x, to)];
}

function axesOf(ctx: Context): number[] | null {
  if (ctx.opset >= 13) return ctx.input(1) ? ints(ctx, 1, 'axes') : null;
  return ctx.attr<number[] | null>('axes', null);
}

function squeeze(ctx: Context): Value[] {
  const x = ctx.input(0)!, r = x.dims.length;
  const axes = (axesOf(ctx) ?? x.dims.flatMap((d, i) => (d === 1 && (i > 0 || x.kind === 'const') ? [i] : []))).map((a) => (a < 0 ? a + r : a));
  const to = x.dims.filter((_, i) => !axes.includes(i));
  if (x.kind === 'const') return [{ ...x, dims: to }];
  if (axes.includes(0)) refuse(ctx.node, 'squeezes the batch axis', 'axes');
  return [reshapeSym(ctx, x, to)];
}

function unsqueeze(ctx: Context): Value[] {
  const x = ctx.input(0)!, axes = axesOf(ctx) ?? [];
  const r = x.dims.length + axes.length, at = axes.map((a) => (a < 0 ? a + r : a));
  const to: number[] = [];
  for (let i = 0, k = 0; i < r; i++) to.push(at.includes(i) ? 1 : x.dims[k++]);
  if (x.kind === 'const') return [{ ...x, dims: to }];
  if (at.includes(0)) refuse(ctx.node, 'adds an axis before the batch axis', 'axes');
  return [reshapeSym(ctx, x, to)];
}

function transpose(ctx: Context): Value[] {
  const x = ctx.input(0)!, r = x.dims.length;
  const perm = ctx.attr<number[]>('perm', [...Array(r).keys()].reverse());
  if (x.kind === 'const') return [transposeConst(x, perm)];
  if (perm[0] !== 0) refuse(ctx.node, `[${perm.join(', ')}] moves the batch axis`, 'perm');
  const dims = perm.map((p) => x.dims[p]);
  const keras = perm.slice(1).map((p) => (x.nhwc ? IN_NHWC[p] : p));
  if (keras.every((p, i) => p === i + 1)) return [ctx.value(x.t, dims)];
  return [ctx.value(ctx.apply(new Permute({ dims: keras, name: ctx.name() }), x.t), dims)];
}

function concatConst(cs: Const[], axis: number): Const {
  const dims = [...cs[0].dims];
  dims[axis] = cs.reduce((s, c) => s + c.dims[axis], 0);
  const outer = product(dims.slice(0, axis)), values: number[] = [];
  for (let o = 0; o < outer; o++) for (const c of cs) { const n = product(c.dims.slice(axis)); for (let k = 0; k < n; k++) values.push(Number(c.data[o * n + k])); }
  const float = cs.some((c) => c.data instanceof Float32Array);
  return { kind: 'const', dims, type: float ? 'float32' : cs[0].type, data: float ? Float32Array.from(values) : values };
}

function concat(ctx: Context): Value[] {
  const xs = ctx.node.inputs.map((_, i) => ctx.input(i)!).filter(Boolean), r = xs[0].dims.length;
  let axis = ctx.attr('axis', 1);
  if (axis < 0) axis += r;
  if (xs.every((x) => x.kind === 'const')) return [concatConst(xs as Const[], axis)];
  if (!xs.every((x) => x.kind === 'sym')) refuse(ctx.node, 'joins constants with tensors: convkit joins tensors only');
  if (axis === 0) refuse(ctx.node, 'joins along the batch axis', 'axis');
  const syms = xs as Sym[], nhwc = r === 4;
  const dims = [...syms[0].dims];
  dims[axis] = syms.reduce((s, x) => s + x.dims[axis], 0);
  const layer = new Concatenate({ axis: nhwc ? IN_NHWC[axis] : axis, name: ctx.name() });
  return [ctx.value(ctx.apply(layer, syms.map((x) => (nhwc ? ctx.nhwc(x) : ctx.plain(x)))), dims, nhwc)];
}

function shape(ctx: Context): Value[] {
  const x = ctx.input(0)!, r = x.dims.length;
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const dims = x.dims.slice(norm(ctx.attr('start', 0)), norm(ctx.attr('end', r)));
  return [intConst([dims.length], dims)];
}

function constant(ctx: Context): Value[] {
  const a = ctx.node.attributes;
  if (a.value !== undefined) return [tensorConst(a.value as OnnxTensor)];
  if (a.value_float !== undefined) return [{ kind: 'const', dims: [], type: 'float32', data: Float32Array.of(a.value_float as number) }];
  if (a.value_floats !== undefined) return [{ kind: 'const', dims: [(a.value_floats as number[]).length], type: 'float32', data: Float32Array.from(a.value_floats as number[]) }];
  if (a.value_int !== undefined) return [intConst([], [a.value_int as number])];
  if (a.value_ints !== undefined) return [intConst([(a.value_ints as number[]).length], a.value_ints as number[])];
  return refuse(ctx.node, 'has no value convkit reads (value, value_float(s), value_int(s))', Object.keys(a)[0]);
}

function cast(ctx: Context): Value[] {
  const x = ctx.input(0)!, to = ctx.attr('to', 1);
  if (x.kind === 'sym') return to === 1 ? [x] : refuse(ctx.node, `to type ${to}: convkit's tensors are float32`, 'to');
  if (to === 1) return [{ ...x, type: 'float32', data: Float32Array.from(x.data as ArrayLike<number>) }];
  return [{ ...x, type: 'int64', data: Array.from(x.data, (v) => Math.trunc(Number(v))) }];
}

function slice(ctx: Context): Value[] {
  const x = ctx.input(0)!;
  if (x.kind === 'sym') refuse(ctx.node, 'slices a tensor: convkit slices constants (shapes) only');
  if (ctx.opset < 10) return [sliceConst(x, ctx.attr('starts', []), ctx.attr('ends', []), ctx.attr('axes', [...x.dims.keys()]), [])];
  const axes = ctx.input(3) ? ints(ctx, 3, 'axes') : [...x.dims.keys()];
  return [sliceConst(x, ints(ctx, 1, 'starts'), ints(ctx, 2, 'ends'), axes, ctx.input(4) ? ints(ctx, 4, 'steps') : [])];
}

function gather(ctx: Context): Value[] {
  const x = ctx.input(0)!;
  if (x.kind === 'sym') refuse(ctx.node, 'gathers from a tensor: convkit gathers from constants (shapes) only');
  let axis = ctx.attr('axis', 0);
  if (axis < 0) axis += x.dims.length;
  return [gatherConst(x, ctx.constant(1, 'indices'), axis)];
}

function constantOfShape(ctx: Context): Value[] {
  const dims = ints(ctx, 0, 'input'), v = ctx.node.attributes.value as OnnxTensor | undefined, n = product(dims);
  const fill = v?.data ? Number(v.data[0]) : 0;
  return [v && v.type !== 'float32' ? intConst(dims, new Array(n).fill(fill)) : { kind: 'const', dims, type: 'float32', data: new Float32Array(n).fill(fill) }];
}

export const SHAPE_OPS: Record<string, Converter> = {
  Flatten: flattenOp, Reshape: reshape, Squeeze: squeeze, Unsqueeze: unsqueeze, Transpose: transpose, Concat: concat,
  Shape: shape, Constant: constant, Cast: cast, Slice: slice, Gather: gather, ConstantOfShape: constantOfShape,
};
