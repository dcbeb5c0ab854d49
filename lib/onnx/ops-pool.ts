// MaxPool, AveragePool, the global pools, and Resize / Upsample by integer factors.
import { AveragePooling2D } from '../layers/avgpool2d';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pool2d';
import { MaxPool2D } from '../layers/maxpool2d';
import { UpSampling2D } from '../layers/upsampling2d';
import type { Context, Value } from './context';
import { refuse } from './graph';
import { type Converter, nchwDims } from './ops-conv';
import { ceilPads, kernelOf, windowOf } from './window';

function pool(ctx: Context, average: boolean): Value[] {
  const x = ctx.sym(0), [, , h, w] = x.dims;
  if (x.dims.length !== 4) refuse(ctx.node, `input of dims [${x.dims.join(', ')}]: convkit pools [N, C, H, W]`);
  if (ctx.node.outputs[1]) refuse(ctx.node, 'the Indices output is not produced by convkit');
  const win = windowOf(ctx, h, w, kernelOf(ctx));
  const ceil = ctx.attr('ceil_mode', 0) === 1;
  const padding = ceil ? ceilPads(win, h, w) : win.pads;
  const countIncludePad = average && ctx.attr('count_include_pad', 0) === 1;
  if (countIncludePad && padding.some((p, i) => p !== win.pads[i])) {
    refuse(ctx.node, 'with count_include_pad 1, a last window past the pads: convkit would count the cells past them', 'ceil_mode');
  }
  const options = { poolSize: win.k, strides: win.s, dilationRate: win.d, padding, name: ctx.name() };
  const layer = average ? new AveragePooling2D({ ...options, countIncludePad }) : new MaxPool2D(options);
  const y = ctx.apply(layer, ctx.nhwc(x));
  return [ctx.value(y, nchwDims(y, x), true)];
}

function globalPool(ctx: Context, average: boolean): Value[] {
  const x = ctx.sym(0);
  const options = { keepdims: true, name: ctx.name() };
  const y = ctx.apply(average ? new GlobalAveragePooling2D(options) : new GlobalMaxPooling2D(options), ctx.nhwc(x));
  return [ctx.value(y, nchwDims(y, x), true)];
}

/** The scale factors on [N, C, H, W] of a Resize / Upsample node (from scales or sizes). */
function factors(ctx: Context, dims: number[]): number[] {
  const upsample = ctx.node.opType === 'Upsample';
  if (upsample && ctx.opset < 9) return ctx.attr<number[]>('scales', []);
  const scalesAt = upsample ? 1 : ctx.opset >= 11 ? 2 : 1;
  const scales = ctx.input(scalesAt) ? ctx.constant(scalesAt, 'scales') : null;
  const axes = ctx.attr<number[]>('axes', [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a));
  const out = [1, 1, 1, 1];
  if (scales && scales.data.length > 0) {
    axes.forEach((a, i) => (out[a] = Number(scales.data[i])));
    return out;
  }
  if (upsample || !ctx.input(3)) refuse(ctx.node, 'neither scales nor sizes is given');
  const sizes = ctx.constant(3, 'sizes').data;
  const policy = ctx.attr('keep_aspect_ratio_policy', 'stretch');
  const ratios = axes.map((a, i) => Number(sizes[i]) / dims[a]);
  axes.forEach((a, i) => (out[a] = policy === 'not_smaller' ? Math.max(...ratios) : policy === 'not_larger' ? Math.min(...ratios) : ratios[i]));
  return out;
}

/**
 * Integer factors on H and W as UpSampling2D: nearest repeats each pixel (asymmetric with floor,
 * Upsample's rule; half_pixel with rounding, which picks the same cells), linear is Keras's
 * bilinear (half-pixel centers, clamped at the edges).
 */
function resize(ctx: Context): Value[] {
  const x = ctx.sym(0);
  if (x.dims.length !== 4) refuse(ctx.node, `input of dims [${x.dims.join(', ')}]: convkit resizes [N, C, H, W]`);
  const f = factors(ctx, x.dims);
  if (f[0] !== 1 || f[1] !== 1) refuse(ctx.node, `factors [${f.join(', ')}] scale N or C`, 'scales');
  if (!f.every((v) => Number.isInteger(v) && v >= 1)) refuse(ctx.node, `factors [${f.join(', ')}]: UpSampling2D enlarges by integer factors`, 'scales');
  const mode = ctx.attr('mode', 'nearest');
  const upsample = ctx.node.opType === 'Upsample' || ctx.opset < 11;
  const coords = upsample ? 'asymmetric' : ctx.attr('coordinate_transformation_mode', 'half_pixel');
  if (mode === 'nearest') {
    const rounding = upsample ? 'floor' : ctx.attr('nearest_mode', 'round_prefer_floor');
    const repeats = (coords === 'asymmetric' && (rounding === 'floor' || (f[2] <= 2 && f[3] <= 2 && rounding === 'round_prefer_floor')))
      || ((coords === 'half_pixel' || coords === 'pytorch_half_pixel') && rounding.startsWith('round'));
    if (!repeats) refuse(ctx.node, `'${coords}' with nearest_mode '${rounding}' does not repeat each pixel`, 'coordinate_transformation_mode');
  } else if (mode === 'linear' || mode === 'bilinear') {
    if (coords !== 'half_pixel' && coords !== 'pytorch_half_pixel') refuse(ctx.node, `'${coords}': convkit's bilinear resize has half-pixel centers`, 'coordinate_transformation_mode');
  } else refuse(ctx.node, `'${mode}': convkit resizes with nearest or linear`, 'mode');
  const layer = new UpSampling2D({ size: [f[2], f[3]], interpolation: mode === 'nearest' ? 'nearest' : 'bilinear', name: ctx.name() });
  const y = ctx.apply(layer, ctx.nhwc(x));
  return [ctx.value(y, nchwDims(y, x), true)];
}

export const POOL_OPS: Record<string, Converter> = {
  MaxPool: (ctx) => pool(ctx, false),
  AveragePool: (ctx) => pool(ctx, true),
  GlobalAveragePool: (ctx) => globalPool(ctx, true),
  GlobalMaxPool: (ctx) => globalPool(ctx, false),
  Resize: resize,
  Upsample: resize,
};
