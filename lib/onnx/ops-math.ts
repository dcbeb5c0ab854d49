// Elementwise ops: the activations (as convkit's activation layers, which the graph compiler runs
// in the epilogue of the convolution before them), Clip, PRelu (PReLU), Softmax, and Add / Sub / Mul / Div of two
// tensors (merges) or of a tensor and a constant per channel or per last axis (a 1x1 depthwise).
import { ActivationLayer, ELU, LeakyReLU, ReLU, Softmax } from '../layers/activation-layers';
import type { ActivationName } from '../activation';
import type { Layer } from '../layers/layer';
import { Add, Maximum, Minimum, Multiply, Subtract } from '../layers/merge';
import { PReLU } from '../layers/prelu';
import { type Const, type Context, IN_NHWC, type Sym, type Value } from './context';
import { refuse } from './graph';
import type { Converter } from './ops-conv';
import { broadcastDims, foldBinary } from './fold';

const unary = (ctx: Context, layer: Layer, x = ctx.sym(0)): Sym => ctx.value(ctx.apply(layer, x.t), x.dims, x.nhwc);
const named = (ctx: Context, activation: ActivationName): Value[] => [unary(ctx, new ActivationLayer({ activation, name: ctx.name() }))];

/** A constant that broadcasts onto x per lane: x in the layout whose last axis the constant runs along, and its values. */
function lanesOf(ctx: Context, x: Sym, c: Const): { x: Sym; data: Float32Array } {
  const r = x.dims.length;
  if (c.dims.length > r) refuse(ctx.node, `a constant of dims [${c.dims.join(', ')}] against a tensor of dims [${x.dims.join(', ')}]`);
  const cd = [...Array(r - c.dims.length).fill(1), ...c.dims];
  if (cd.some((d, i) => d !== 1 && d !== x.dims[i])) refuse(ctx.node, `a constant of dims [${c.dims.join(', ')}] does not broadcast onto dims [${x.dims.join(', ')}]`);
  const along = cd.flatMap((d, i) => (d !== 1 ? [i] : []));
  if (along.includes(0)) refuse(ctx.node, `a constant of dims [${c.dims.join(', ')}] varies along the batch axis of dims [${x.dims.join(', ')}]`);
  const data = Float32Array.from(c.data as ArrayLike<number>);
  if (along.length === 0) return { x, data: data.subarray(0, 1) };
  if (along.length === 1 && r === 4 && along[0] === 1) return { x: x.nhwc ? x : { ...x, nhwc: true, t: ctx.nhwc(x), other: x.t }, data };
  if (along.length === 1 && along[0] === r - 1) return { x: x.nhwc ? { ...x, nhwc: false, t: ctx.plain(x), other: x.t } : x, data };
  return refuse(ctx.node, `a constant of dims [${c.dims.join(', ')}] varies along more than the channels or the last axis`);
}

function binary(ctx: Context): Value[] {
  const op = ctx.node.opType, a = ctx.input(0), b = ctx.input(1);
  if (!a || !b) refuse(ctx.node, 'expects two inputs');
  if (a.kind === 'const' && b.kind === 'const') return [foldBinary(ctx, a, b)];
  if (a.kind === 'sym' && b.kind === 'sym') {
    if (op === 'Div') refuse(ctx.node, 'a tensor divided by a tensor: convkit divides by constants only');
    if (a.dims.length !== b.dims.length) refuse(ctx.node, `inputs of ranks ${a.dims.length} and ${b.dims.length}`);
    const nhwc = a.dims.length === 4, pick = (v: Sym) => (nhwc ? ctx.nhwc(v) : ctx.plain(v));
    const layer = op === 'Add' ? new Add({ name: ctx.name() }) : op === 'Sub' ? new Subtract({ name: ctx.name() }) : new Multiply({ name: ctx.name() });
    return [ctx.value(ctx.apply(layer, [pick(a), pick(b)]), broadcastDims(ctx, a.dims, b.dims), nhwc)];
  }
  const symFirst = a.kind === 'sym', x = (symFirst ? a : b) as Sym, c = (symFirst ? b : a) as Const;
  const { x: target, data } = lanesOf(ctx, x, c);
  switch (op) {
    case 'Add': return [ctx.affine(target, null, data)];
    case 'Mul': return [ctx.affine(target, data, null)];
    case 'Sub': return [symFirst ? ctx.affine(target, null, data.map((v) => -v)) : ctx.affine(target, new Float32Array([-1]), data)];
    default:
      if (!symFirst) refuse(ctx.node, 'a constant divided by a tensor: convkit divides by constants only');
      return [ctx.affine(target, data.map((v) => 1 / v), null)];
  }
}

/** A tensor of x's dims holding c on each lane (x * 0 + c), for the merges that clamp. */
function filled(ctx: Context, x: Sym, c: number, suffix: string): Sym {
  return ctx.affine(x, new Float32Array([0]), new Float32Array([c]), suffix);
}

function clip(ctx: Context): Value[] {
  const x = ctx.sym(0);
  const bound = (i: number, attr: string, dflt: number) => (ctx.opset >= 11 ? (ctx.input(i) ? Number(ctx.constant(i, attr).data[0]) : dflt) : ctx.attr(attr, dflt));
  const min = bound(1, 'min', -Infinity), max = bound(2, 'max', Infinity);
  const noMin = min <= -3.4e38, noMax = max >= 3.4e38;
  if (noMin && noMax) return [x];
  if (min === 0 && max > 0) return [unary(ctx, noMax ? new ActivationLayer({ activation: 'relu', name: ctx.name() }) : new ReLU({ maxValue: max, name: ctx.name() }))];
  // Other bounds: max(x, min) and min(., max) with merges against tensors of the bound (exact).
  let y = x;
  if (!noMin) y = ctx.value(ctx.apply(new Maximum({ name: ctx.name() }), [y.t, filled(ctx, y, min, '_min').t]), x.dims, x.nhwc);
  if (!noMax) y = ctx.value(ctx.apply(new Minimum({ name: ctx.name() }), [y.t, filled(ctx, y, max, '_max').t]), x.dims, x.nhwc);
  return [y];
}

/** PRelu as PReLU: one alpha per channel (NHWC, shared along H and W) or per last axis, or one for all. */
function prelu(ctx: Context): Value[] {
  const { x, data } = lanesOf(ctx, ctx.sym(0), ctx.weights(1, 'slope'));
  const k = ctx.lanes(x), rank = x.nhwc ? 4 : Math.max(2, x.dims.length);
  const alpha = data.length === 1 ? new Float32Array(k).fill(data[0]) : data;
  const sharedAxes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  return [unary(ctx, new PReLU({ alpha, sharedAxes, name: ctx.name() }), x)];
}

const SELU_ALPHA = 1.67326319217681884765625, SELU_GAMMA = 1.05070102214813232421875;

function selu(ctx: Context): Value[] {
  const alpha = ctx.attr('alpha', SELU_ALPHA), gamma = ctx.attr('gamma', SELU_GAMMA);
  if (Math.abs(alpha - SELU_ALPHA) < 1e-6 && Math.abs(gamma - SELU_GAMMA) < 1e-6) return named(ctx, 'selu');
  return [ctx.affine(unary(ctx, new ELU({ alpha, name: ctx.name('_elu') })), new Float32Array([gamma]), null)];
}

function hardSigmoid(ctx: Context): Value[] {
  const alpha = ctx.attr('alpha', 0.2), beta = ctx.attr('beta', 0.5);
  if (Math.fround(alpha) === Math.fround(0.2) && beta === 0.5) return named(ctx, 'hard_sigmoid');
  const lin = ctx.affine(ctx.sym(0), new Float32Array([alpha]), new Float32Array([beta]), '_affine');
  return [unary(ctx, new ReLU({ maxValue: 1, name: ctx.name() }), lin)];
}

/** Softmax over one axis (opset 13), or over the axes from `axis` on (before: one when those after it have size 1). */
function softmax(ctx: Context): Value[] {
  const x = ctx.sym(0), r = x.dims.length;
  let axis = ctx.attr('axis', ctx.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += r;
  if (ctx.opset < 13 && !x.dims.slice(axis + 1).every((d) => d === 1)) refuse(ctx.node, `${axis} before opset 13 flattens axes ${axis}.. into one: convkit runs softmax over one axis`, 'axis');
  if (axis <= 0 || axis >= r) refuse(ctx.node, `${ctx.attr('axis', -1)}: softmax over the batch axis`, 'axis');
  return [unary(ctx, new Softmax({ axis: x.nhwc ? IN_NHWC[axis] : axis, name: ctx.name() }))];
}

function passThrough(ctx: Context): Value[] {
  if (ctx.node.opType === 'Dropout' && ctx.node.outputs[1]) refuse(ctx.node, 'the mask output is a training output');
  const x = ctx.input(0);
  if (!x) refuse(ctx.node, 'input 0 is missing');
  return [x];
}

export const MATH_OPS: Record<string, Converter> = {
  Relu: (ctx) => named(ctx, 'relu'),
  Sigmoid: (ctx) => named(ctx, 'sigmoid'),
  Tanh: (ctx) => named(ctx, 'tanh'),
  HardSwish: (ctx) => named(ctx, 'hard_swish'),
  Softplus: (ctx) => named(ctx, 'softplus'),
  Softsign: (ctx) => named(ctx, 'softsign'),
  Mish: (ctx) => named(ctx, 'mish'),
  Gelu: (ctx) => named(ctx, ctx.attr('approximate', 'none') === 'tanh' ? 'gelu_new' : 'gelu'),
  LeakyRelu: (ctx) => [unary(ctx, new LeakyReLU({ alpha: ctx.attr('alpha', 0.01), name: ctx.name() }))],
  Elu: (ctx) => [unary(ctx, new ELU({ alpha: ctx.attr('alpha', 1), name: ctx.name() }))],
  Selu: selu,
  HardSigmoid: hardSigmoid,
  Clip: clip,
  PRelu: prelu,
  Softmax: softmax,
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Identity: passThrough,
  Dropout: passThrough,
};
