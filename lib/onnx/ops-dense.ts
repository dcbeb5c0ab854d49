// Gemm and MatMul with constant weights as Dense. After a Flatten of a 4-D tensor the Dense reads
// the NHWC flattening, its rows permuted at load to match ONNX's NCHW order: no transpose at run time.
import { Conv2D } from '../layers/conv2d';
import { Dense } from '../layers/dense';
import { Reshape } from '../layers/reshape';
import type { Context, Sym, Value } from './context';
import { refuse } from './graph';
import { nhwcRows, transpose2d } from './layout';
import type { Converter } from './ops-conv';

function dense(ctx: Context, x: Sym, kernel: Float32Array, units: number, bias: Float32Array | null): Value[] {
  const k = kernel.length / units;
  if (x.dims.length !== 2 || x.dims[1] !== k) refuse(ctx.node, `input of dims [${x.dims.join(', ')}] against weights of ${k} rows: convkit multiplies [N, K] by constant [K, units]`);
  const input = x.flat ? x.flat.t : x.t;
  const rows = x.flat ? nhwcRows(kernel, x.flat.c, x.flat.h, x.flat.w, units) : kernel;
  const layer = new Dense({ units, kernel: rows, useBias: bias !== null, ...(bias ? { bias } : {}), name: ctx.name() });
  return [ctx.value(ctx.apply(layer, input), [x.dims[0], units])];
}

function gemm(ctx: Context): Value[] {
  const x = ctx.sym(0), b = ctx.weights(1, 'B');
  if (ctx.attr('transA', 0) !== 0) refuse(ctx.node, "1 transposes the model's tensor (its batch axis): convkit's Dense reads [N, K]", 'transA');
  if (b.dims.length !== 2) refuse(ctx.node, `B has dims [${b.dims.join(', ')}]`);
  const transB = ctx.attr('transB', 0) === 1, alpha = ctx.attr('alpha', 1), beta = ctx.attr('beta', 1);
  const [k, units] = transB ? [b.dims[1], b.dims[0]] : b.dims;
  let kernel = transB ? transpose2d(b.data, units, k) : b.data;
  if (alpha !== 1) kernel = kernel.map((v) => alpha * v);
  let bias: Float32Array | null = null;
  if (ctx.input(2)) {
    const c = ctx.weights(2, 'C');
    if (c.dims.some((d, i) => d !== 1 && !(i === c.dims.length - 1 && d === units)) || c.dims.length > 2) {
      refuse(ctx.node, `C of dims [${c.dims.join(', ')}]: convkit adds a bias per unit (dims [units], [1, units] or a scalar)`);
    }
    bias = c.data.length === 1 ? new Float32Array(units).fill(c.data[0]) : Float32Array.from(c.data);
    if (beta !== 1) bias = bias.map((v) => beta * v);
  }
  return dense(ctx, x, kernel, units, bias);
}

function matMul(ctx: Context): Value[] {
  const x = ctx.sym(0), b = ctx.weights(1, 'B');
  if (b.dims.length !== 2) refuse(ctx.node, `B has dims [${b.dims.join(', ')}]: convkit multiplies by a constant matrix`);
  const r = x.dims.length, [k, units] = b.dims;
  if (r <= 2) return dense(ctx, x, b.data, units, null);
  // [N, ..., K] x [K, units] over the last axis: a 1x1 convolution of the rows as [rows, 1, K].
  if (x.dims[r - 1] !== k) refuse(ctx.node, `input of dims [${x.dims.join(', ')}] against B of ${k} rows`);
  const rows = x.dims.slice(1, r - 1).reduce((p, q) => p * q, 1), dims = [...x.dims.slice(0, r - 1), units];
  const as4 = ctx.apply(new Reshape({ targetShape: [rows, 1, k], name: ctx.name('_rows') }), ctx.plain(x));
  const y = ctx.apply(new Conv2D({ filters: units, kernelSize: 1, kernel: b.data, useBias: false, name: ctx.name() }), as4);
  return [ctx.value(ctx.apply(new Reshape({ targetShape: dims.slice(1), name: ctx.name('_back') }), y), dims)];
}

export const DENSE_OPS: Record<string, Converter> = { Gemm: gemm, MatMul: matMul };
