// An OnnxGraph -> a convkit functional Model. Initializers and folded subgraphs are constants;
// every other value is a symbolic tensor, 4-D ones held NHWC where image ops read them. The
// model's 4-D inputs and outputs are NHWC unless `layout: 'nchw'` (then a transpose at each edge).
import { Permute } from '../layers/permute';
import { input, type Model, model } from '../models/functional';
import { describe, knownKeys, oneOf, options } from '../validate';
import { Context, type Sym } from './context';
import { nodeLabel, type OnnxGraph, type OnnxValueInfo, refuse } from './graph';
import { CONV_OPS, type Converter } from './ops-conv';
import { DENSE_OPS } from './ops-dense';
import { MATH_OPS } from './ops-math';
import { POOL_OPS } from './ops-pool';
import { SHAPE_OPS, tensorConst } from './ops-shape';

export interface OnnxOptions {
  /** 'nhwc' (default): 4-D inputs and outputs are [N, H, W, C], convkit's layout; 'nchw': ONNX's [N, C, H, W], transposed inside the model. */
  layout?: 'nhwc' | 'nchw';
  /** Dims (ONNX order, batch first) of inputs whose file leaves them symbolic, by input name. */
  inputShapes?: Record<string, number[]>;
}

const CONVERTERS: Record<string, Converter> = { ...CONV_OPS, ...POOL_OPS, ...MATH_OPS, ...SHAPE_OPS, ...DENSE_OPS };

/** The op types the importer converts (the others are refused, named). */
export const ONNX_OPS: readonly string[] = Object.keys(CONVERTERS).sort();

export function checkOnnxOptions(opts: unknown): Required<Pick<OnnxOptions, 'layout'>> & OnnxOptions {
  const o = options('ONNX load options', opts, true);
  if (opts !== undefined) knownKeys('ONNX load options', opts as object, ['layout', 'inputShapes']);
  const layout = oneOf('layout', o.layout ?? 'nhwc', ['nhwc', 'nchw'] as const);
  if (o.inputShapes !== undefined && (typeof o.inputShapes !== 'object' || o.inputShapes === null)) throw new TypeError(`Expected object for inputShapes but received ${describe(o.inputShapes)}`);
  return { layout, inputShapes: o.inputShapes as Record<string, number[]> | undefined };
}

const safeName = (s: string): string => s.replace(/\//g, '.').replace(/^\.+/, '') || 'input';

/** A graph input's dims: the batch NaN when symbolic, every other dim known. */
function inputDims(v: OnnxValueInfo, given: Record<string, number[]> | undefined): number[] {
  if (v.type !== 'float32') throw new RangeError(`ONNX graph input '${v.name}' is ${v.type}: convkit's tensors are float32`);
  const dims = given?.[v.name] ?? v.dims;
  if (given?.[v.name] !== undefined && (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && (d as number) >= 1))) {
    throw new TypeError(`Expected array of positive integers for inputShapes['${v.name}'] but received ${describe(dims)}`);
  }
  if (!dims || dims.length === 0) throw new RangeError(`ONNX graph input '${v.name}' has no shape: pass its dims as inputShapes: { '${v.name}': [N, C, H, W] }`);
  return dims.map((d, i) => {
    if (typeof d === 'number' && d > 0) return d;
    if (i === 0) return NaN;
    return refuse({ name: v.name, opType: 'graph input', inputs: [], outputs: [v.name], attributes: {} },
      `dim ${i} is ${d === null ? 'unknown' : `'${d}'`}: convkit resolves shapes at load; pass inputShapes: { '${v.name}': [...] } with every dim after the batch`);
  });
}

export function buildOnnxModel(graph: OnnxGraph, opts?: OnnxOptions): Model {
  const o = checkOnnxOptions(opts);
  if (graph.opset < 7 || graph.opset > 22) throw new RangeError(`Expected an ONNX model of opset 7 to 22 but it imports opset ${graph.opset}`);
  const ctx = new Context(graph.opset);
  for (const t of graph.initializers) ctx.values.set(t.name, tensorConst(t));
  const inputs = graph.inputs.filter((v) => !ctx.values.has(v.name)).map((v) => {
    const dims = inputDims(v, o.inputShapes), name = safeName(v.name);
    let sym: Sym;
    if (dims.length === 4) {
      const [, c, h, w] = dims;
      const x = input({ shape: o.layout === 'nchw' ? [c, h, w] : [h, w, c], name });
      sym = { kind: 'sym', dims, nhwc: o.layout !== 'nchw', t: x };
    } else {
      sym = { kind: 'sym', dims, nhwc: false, t: input({ shape: dims.length === 1 ? [1] : dims.slice(1), name }) };
    }
    ctx.values.set(v.name, sym);
    return sym.t;
  });
  for (const node of graph.nodes) {
    ctx.node = node;
    if (node.domain && node.domain !== 'ai.onnx') refuse(node, `its domain '${node.domain}' is not the default ONNX opset`);
    const convert = CONVERTERS[node.opType];
    if (!convert) refuse(node, `convkit does not import this op (it imports ${ONNX_OPS.join(', ')})`);
    let outs;
    try {
      outs = convert(ctx);
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith('ONNX node')) e.message = `${nodeLabel(node)}: ${e.message}`;
      throw e;
    }
    outs.forEach((v, i) => node.outputs[i] && ctx.values.set(node.outputs[i], v));
  }
  const outputs = graph.outputs.map((v) => {
    const value = ctx.values.get(v.name);
    if (!value) throw new RangeError(`ONNX graph output '${v.name}' is computed by no node`);
    if (value.kind === 'const') throw new RangeError(`ONNX graph output '${v.name}' is a constant: convkit's models compute their outputs from their inputs`);
    if (value.dims.length === 4 && o.layout === 'nhwc') return ctx.nhwc(value);
    if (value.dims.length === 4 && value.nhwc) return ctx.apply(new Permute({ dims: [3, 1, 2], name: safeName(`${v.name}_nchw`) }), value.t);
    return ctx.plain(value);
  });
  return model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: safeName(graph.name || 'onnx_model') });
}
