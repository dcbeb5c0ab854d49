// Conv, ConvTranspose, BatchNormalization and Pad: weights converted to convkit's layouts once,
// a zero Pad before a Conv taken into the Conv's own padding.
import { BatchNormalization } from '../layers/batchnorm';
import { Conv2D } from '../layers/conv2d';
import { Conv2DTranspose } from '../layers/conv2d-transpose';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { Add } from '../layers/merge';
import { ZeroPadding2D } from '../layers/padding2d';
import type { SymbolicTensor } from '../layers/symbolic';
import type { Context, Sym, Value } from './context';
import { refuse } from './graph';
import { oihwToHwio } from './layout';
import { kernelOf, type Pads, windowOf } from './window';

export type Converter = (ctx: Context) => Value[];

/** ONNX dims [N, C, H, W] of an NHWC symbolic tensor, the batch taken from `like`. */
export function nchwDims(t: { shape: readonly (number | null)[] }, like: Sym): number[] {
  const [h, w, c] = t.shape as number[];
  return [like.dims[0], c, h, w];
}

function bias(ctx: Context, units: number): Float32Array | undefined {
  if (!ctx.input(2)) return undefined;
  const b = ctx.weights(2, 'B');
  if (b.data.length !== units) refuse(ctx.node, `B has ${b.data.length} values for ${units} output channels`);
  return b.data;
}

function conv(ctx: Context): Value[] {
  let x = ctx.sym(0);
  const wt = ctx.weights(1, 'W');
  if (wt.dims.length !== 4) refuse(ctx.node, `W has dims [${wt.dims.join(', ')}]: convkit runs 2-D convolutions`);
  const [m, cg, kh, kw] = wt.dims, group = ctx.attr('group', 1);
  const extra: Pads = x.padded ? x.padded.pads : [0, 0, 0, 0];
  const padded = x;
  if (x.padded) x = x.padded.src;
  const win = windowOf(ctx, padded.dims[2], padded.dims[3], kernelOf(ctx, [kh, kw]));
  const padding = win.pads.map((p, i) => p + extra[i]) as Pads;
  const c = x.dims[1], name = ctx.name(), b = bias(ctx, m);
  const common = { kernelSize: win.k, strides: win.s, dilationRate: win.d, padding, name, useBias: b !== undefined, ...(b ? { bias: b } : {}) };
  if (c % group !== 0 || m % group !== 0 || cg !== c / group) refuse(ctx.node, `${group} groups with W of ${cg} input channels for an input of ${c} and ${m} outputs`, 'group');
  // Depthwise (group = C): output channel o = ch * multiplier + j reads channel ch, as Keras's
  // [kh, kw, C, multiplier]; other groups: Conv2D's groups, kernel [kh, kw, C / groups, M].
  const layer = group > 1 && group === c
    ? new DepthwiseConv2D({ ...common, depthMultiplier: m / c, kernel: oihwToHwio(wt.data, wt.dims) })
    : new Conv2D({ ...common, filters: m, groups: group, kernel: oihwToHwio(wt.data, wt.dims) });
  const y = ctx.apply(layer, ctx.nhwc(x));
  return [ctx.value(y, nchwDims(y, x), true)];
}

/** ONNX's output size and crop of one axis of a ConvTranspose (output_shape or pads). */
function transposedAxis(ctx: Context, i: number, size: number, k: number, s: number): { out: number; begin: number } {
  const op = ctx.attr<number[]>('output_padding', [0, 0])[i];
  const full = s * (size - 1) + op + k;
  const shape = ctx.attr<number[] | undefined>('output_shape', undefined), auto = ctx.attr('auto_pad', 'NOTSET');
  if (shape || (auto !== 'NOTSET' && auto !== 'VALID')) {
    const out = shape ? shape[shape.length - 2 + i] : size * s, total = full - out;
    return { out, begin: auto === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2) };
  }
  const pads = ctx.attr<number[]>('pads', [0, 0, 0, 0]);
  return { out: full - pads[i] - pads[i + 2], begin: pads[i] };
}

function convTranspose(ctx: Context): Value[] {
  const x = ctx.sym(0), wt = ctx.weights(1, 'W');
  if (wt.dims.length !== 4) refuse(ctx.node, `W has dims [${wt.dims.join(', ')}]: convkit runs 2-D convolutions`);
  if (ctx.attr('group', 1) !== 1) refuse(ctx.node, 'convkit has no grouped transposed convolution', 'group');
  const d = ctx.attr<number[]>('dilations', [1, 1]);
  if (d.some((v) => v !== 1)) refuse(ctx.node, `[${d.join(', ')}]: Conv2DTranspose runs undilated kernels`, 'dilations');
  const [c, m, kh, kw] = wt.dims, [, , h, w] = x.dims;
  const k = kernelOf(ctx, [kh, kw]), s = ctx.attr<number[]>('strides', [1, 1]);
  const rows = transposedAxis(ctx, 0, h, k[0], s[0]), cols = transposedAxis(ctx, 1, w, k[1], s[1]);
  // Pads crop the full output; what lies past it (output_padding, a larger output_shape) is outputPadding.
  const endH = (h - 1) * s[0] + k[0] - rows.begin - rows.out, endW = (w - 1) * s[1] + k[1] - cols.begin - cols.out;
  const b = bias(ctx, m);
  const layer = new Conv2DTranspose({
    filters: m, kernelSize: k, strides: [s[0], s[1]], kernel: oihwToHwio(wt.data, [c, m, kh, kw]), useBias: b !== undefined, ...(b ? { bias: b } : {}),
    padding: [rows.begin, Math.max(0, endH), cols.begin, Math.max(0, endW)], outputPadding: [Math.max(0, -endH), Math.max(0, -endW)], name: ctx.name(),
  });
  const y = ctx.apply(layer, ctx.nhwc(x));
  return [ctx.value(y, nchwDims(y, x), true)];
}

function batchNorm(ctx: Context): Value[] {
  const x = ctx.sym(0);
  if (ctx.attr('training_mode', 0) !== 0) refuse(ctx.node, 'training mode: convkit imports inference graphs', 'training_mode');
  if (ctx.attr('spatial', 1) !== 1) refuse(ctx.node, 'spatial 0 (statistics per pixel) is not supported', 'spatial');
  if (ctx.node.outputs.slice(1).some((o) => o)) refuse(ctx.node, 'the running mean and variance outputs are training outputs');
  const [gamma, beta, movingMean, movingVariance] = [1, 2, 3, 4].map((i) => ctx.weights(i, ['scale', 'B', 'input_mean', 'input_var'][i - 1]).data);
  if (x.dims.length !== 4 && x.dims.length !== 2) refuse(ctx.node, `input of dims [${x.dims.join(', ')}]: convkit normalizes [N, C, H, W] and [N, C]`);
  const layer = new BatchNormalization({ epsilon: ctx.attr('epsilon', 1e-5), gamma, beta, movingMean, movingVariance, name: ctx.name() });
  return [ctx.value(ctx.apply(layer, x.dims.length === 4 ? ctx.nhwc(x) : x.t), x.dims, true)];
}

/** The pads of a Pad node as [[begin, end] per ONNX axis]. */
function padAmounts(ctx: Context, rank: number): [number, number][] {
  const p = ctx.opset >= 11 ? (ctx.constant(1, 'pads').data as number[]) : ctx.attr<number[]>('pads', []);
  const axes = ctx.opset >= 18 && ctx.input(3) ? Array.from(ctx.constant(3, 'axes').data, (a) => (a < 0 ? a + rank : a)) : [...Array(rank).keys()];
  if (p.length !== 2 * axes.length) refuse(ctx.node, `${p.length} values for ${axes.length} axes`, 'pads');
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((a, i) => (out[a] = [Number(p[i]), Number(p[i + axes.length])]));
  return out;
}

function pad(ctx: Context): Value[] {
  const x = ctx.sym(0);
  const mode = ctx.attr('mode', 'constant');
  if (mode !== 'constant') refuse(ctx.node, `'${mode}': convkit pads with zeros`, 'mode');
  const value = ctx.opset >= 11 ? (ctx.input(2) ? Number(ctx.constant(2, 'constant_value').data[0]) : 0) : ctx.attr('value', 0);
  const p = padAmounts(ctx, x.dims.length);
  if (x.dims.length !== 4 || p[0].some(Boolean) || p[1].some(Boolean)) refuse(ctx.node, 'pads other axes than H and W of [N, C, H, W]', 'pads');
  if (p.flat().some((v) => v < 0)) refuse(ctx.node, 'negative pads (a crop)', 'pads');
  const pads: Pads = [p[2][0], p[2][1], p[3][0], p[3][1]];
  const zeroPad = (t: SymbolicTensor, suffix = '') => ctx.apply(new ZeroPadding2D({ padding: [[pads[0], pads[1]], [pads[2], pads[3]]], name: ctx.name(suffix) }), t);
  const y = zeroPad(ctx.nhwc(x)), dims = nchwDims(y, x);
  if (value === 0) return [{ ...ctx.value(y, dims, true), padded: { src: x, pads } }];
  // Another value: the zero-padded tensor plus the value where the padding is (a padded mask of
  // ones, x * 0 + 1, scaled to v - v * mask): each cell is x + 0 or 0 + v, exact.
  const ones = ctx.affine({ ...x, nhwc: true, t: ctx.nhwc(x) }, new Float32Array([0]), new Float32Array([1]), '_ones');
  const fill = ctx.affine(ctx.value(zeroPad(ones.t, '_mask'), dims, true), new Float32Array([-value]), new Float32Array([value]), '_fill');
  return [ctx.value(ctx.apply(new Add({ name: ctx.name('_value') }), [y, fill.t]), dims, true)];
}

export const CONV_OPS: Record<string, Converter> = { Conv: conv, ConvTranspose: convTranspose, BatchNormalization: batchNorm, Pad: pad };
