// What the op converters share: the values of the graph (constants, folded at load, and symbolic
// tensors of the convkit model), the two layouts a 4-D value can be held in, and unique layer names.
//
// A 4-D ONNX value [N, C, H, W] is held NHWC (convkit's layout: every image op reads it so) or
// plain (the ONNX axis order, which Reshape, Transpose and Flatten read). Each is made from the
// other once, on first use, and only where an op asks for it; values of other ranks are plain.
import type { Layer } from '../layers/layer';
import type { MultiInputLayer } from '../layers/multi-input';
import type { SymbolicTensor } from '../layers/symbolic';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d';
import { Permute } from '../layers/permute';
import { Reshape } from '../layers/reshape';
import { type OnnxNode, refuse } from './graph';

export interface Const {
  kind: 'const';
  /** ONNX dims. */
  dims: number[];
  /** float32 data, or integers (shape values: NaN stands for the batch size when it is not fixed). */
  data: Float32Array | number[];
  type: string;
}

export interface Sym {
  kind: 'sym';
  /** ONNX dims, the batch first (NaN when not fixed); a rank-1 value [N] is held as [N, 1]. */
  dims: number[];
  /** t is NHWC (a 4-D value) or in ONNX's axis order. */
  nhwc: boolean;
  t: SymbolicTensor;
  /** The same value in the other layout, once made. */
  other?: SymbolicTensor;
  /** A Flatten of a 4-D value: `t` flattened NHWC (h, w, c order), which a Gemm reads with its rows permuted. */
  flat?: { t: SymbolicTensor; c: number; h: number; w: number };
  /** A zero Pad of H and W, which a Conv after it takes as its own padding [t, b, l, r]. */
  padded?: { src: Sym; pads: [number, number, number, number] };
}

export type Value = Const | Sym;

/** Where ONNX's axes of [N, C, H, W] are in the NHWC tensor. */
export const IN_NHWC = [0, 3, 1, 2];

const product = (d: readonly number[]): number => d.reduce((p, q) => p * q, 1);

/** Layer names from ONNX node names ('/' separates weight names in convkit: it becomes '.'). */
function layerName(s: string): string {
  return s.replace(/\//g, '.').replace(/^\.+/, '') || 'node';
}

export class Context {
  readonly values = new Map<string, Value>();
  private readonly names = new Set<string>();
  node!: OnnxNode;

  constructor(readonly opset: number) {}

  /** A unique layer name for the current node (and a suffix for its second, third... layer). */
  name(suffix = ''): string {
    const base = layerName(this.node.name + suffix);
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  apply(layer: Layer | MultiInputLayer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    return (layer as { apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor }).apply(x);
  }

  /** Input i of the current node, or undefined when it is absent (missing or ''). */
  input(i: number): Value | undefined {
    const n = this.node.inputs[i];
    if (!n) return undefined;
    const v = this.values.get(n);
    if (!v) refuse(this.node, `its input '${n}' is neither a graph input, an initializer nor an earlier node's output`);
    return v;
  }

  sym(i: number): Sym {
    const v = this.input(i);
    if (!v) refuse(this.node, `input ${i} is missing`);
    if (v.kind !== 'sym') refuse(this.node, `input ${i} ('${this.node.inputs[i]}') is a constant: convkit runs this op on the model's tensors only`);
    return v;
  }

  /** Input i as a constant (an initializer, a Constant, or a subgraph folded at load). */
  constant(i: number, what: string): Const {
    const v = this.input(i);
    if (!v) refuse(this.node, `input ${i} (${what}) is missing`);
    if (v.kind !== 'const') refuse(this.node, `input ${i} (${what}, '${this.node.inputs[i]}') must be a constant (an initializer, or computed from shapes known at load)`);
    return v;
  }

  /** Input i as float32 weights. */
  weights(i: number, what: string): Const & { data: Float32Array } {
    const c = this.constant(i, what);
    if (!(c.data instanceof Float32Array)) refuse(this.node, `input ${i} (${what}, '${this.node.inputs[i]}') is ${c.type}: convkit computes in float32`);
    return c as Const & { data: Float32Array };
  }

  attr(name: string, dflt: number): number;
  attr(name: string, dflt: string): string;
  attr<T>(name: string, dflt: T): T;
  attr<T>(name: string, dflt: T): T {
    const v = this.node.attributes[name];
    return v === undefined ? dflt : (v as T);
  }

  /** A symbolic value, with its convkit tensor in the given layout. */
  value(t: SymbolicTensor, dims: number[], nhwc = false): Sym {
    return { kind: 'sym', dims, nhwc: nhwc && dims.length === 4, t };
  }

  private convert(v: Sym, toNhwc: boolean): SymbolicTensor {
    const [, c, h, w] = v.dims;
    // Moving a size-1 axis leaves the order of the floats as it is: a Reshape, not a Permute.
    const layer = c === 1 || h * w === 1
      ? new Reshape({ targetShape: toNhwc ? [h, w, c] : [c, h, w], name: this.name(toNhwc ? '_nhwc' : '_nchw') })
      : new Permute({ dims: toNhwc ? [2, 3, 1] : [3, 1, 2], name: this.name(toNhwc ? '_nhwc' : '_nchw') });
    return (v.other ??= this.apply(layer, v.t));
  }

  /** The 4-D value as NHWC. */
  nhwc(v: Sym): SymbolicTensor {
    if (v.dims.length !== 4) refuse(this.node, `expects a 4-D input [N, C, H, W] but '${this.node.inputs[0]}' has dims [${v.dims.join(', ')}]`);
    return v.nhwc ? v.t : this.convert(v, true);
  }

  /** The value in ONNX's axis order. */
  plain(v: Sym): SymbolicTensor {
    return v.nhwc ? this.convert(v, false) : v.t;
  }

  /** The per-channel (NHWC) or per-last-axis size of v in its layout. */
  lanes(v: Sym): number {
    return v.nhwc ? v.dims[1] : v.dims.length === 1 ? 1 : v.dims[v.dims.length - 1];
  }

  /**
   * x * scale + shift, each a float or one per lane (channels of an NHWC value, the last axis of a
   * plain one): a 1x1 DepthwiseConv2D, exact for a product or a sum alone. null: 1, resp. 0.
   */
  affine(v: Sym, scale: Float32Array | null, shift: Float32Array | null, suffix = ''): Sym {
    const k = this.lanes(v), rank = v.dims.length;
    const lanes = (a: Float32Array | null, fill: number) => (a === null ? new Float32Array(k).fill(fill) : a.length === 1 ? new Float32Array(k).fill(a[0]) : a);
    const layer = new DepthwiseConv2D({ kernelSize: 1, kernel: lanes(scale, 1), useBias: shift !== null, ...(shift ? { bias: lanes(shift, 0) } : {}), name: this.name(suffix) });
    if (v.nhwc) return this.value(this.apply(layer, v.t), v.dims, true);
    // A plain value as [rows, 1, k] for the depthwise layer, and back.
    const rows = product(v.dims.slice(1, rank - 1));
    const y = this.apply(layer, this.apply(new Reshape({ targetShape: [rows, 1, k], name: this.name(`${suffix}_in`) }), v.t));
    return this.value(this.apply(new Reshape({ targetShape: rank === 1 ? [1] : v.dims.slice(1), name: this.name(`${suffix}_out`) }), y), v.dims);
  }
}
