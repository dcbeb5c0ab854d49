// A network as a plain list of Keras-style layers (NHWC shapes, Keras weight layouts, seeded
// weights), from which the bench builds the same model three ways: a convkit functional model,
// a tfjs-layers model and an ONNX graph (convkit-model.ts, tfjs-model.ts, onnx-graph.ts).

export type NetOp =
  | { op: 'input' }
  | { op: 'conv'; k: number; stride: number; filters: number; padding: 'same' | 'valid'; useBias: boolean; activation: 'linear' | 'relu' | 'sigmoid' }
  | { op: 'depthwise'; k: number; stride: number; padding: 'same' | 'valid' }
  | { op: 'batchnorm'; epsilon: number }
  | { op: 'relu6' }
  /** [top, bottom, left, right] */
  | { op: 'zeropad'; pad: [number, number, number, number] }
  | { op: 'add' }
  | { op: 'concat' }
  | { op: 'convTranspose'; k: number; stride: number; filters: number; activation: 'linear' | 'relu' }
  | { op: 'upsample'; size: number }
  | { op: 'maxpool'; size: number }
  | { op: 'gap' }
  | { op: 'dense'; units: number; activation: 'softmax' };

export type NetNode = NetOp & {
  name: string;
  /** Indices of the nodes read, in order. */
  inputs: number[];
  /** Output shape without the batch axis: [h, w, c], or [units]. */
  shape: number[];
  /** Keras layouts: conv kernel [k, k, in, out], depthwise [k, k, c, 1], transposed [k, k, out, in], dense [in, units]. */
  weights: Record<string, Float32Array>;
};

/** A network and how far float32 implementations of it may drift apart (see docs/benchmarks.md). */
export interface Network {
  name: string;
  nodes: NetNode[];
  /** Weighted layers on the longest path: the depth the error bound is stated from. */
  depth: number;
}

/** Seeded uniform values in [lo, hi) (a linear congruential generator: the same on every machine). */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  array(length: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
      out[i] = lo + (this.s / 2 ** 32) * (hi - lo);
    }
    return out;
  }
}

const SAME_STRIDE = (size: number, stride: number) => Math.ceil(size / stride);

/** Builds a network node by node, filling shapes and seeded weights (He-uniform kernels, BN with non-trivial statistics). */
export class NetBuilder {
  readonly nodes: NetNode[] = [];
  private rng: Random;
  private counts = new Map<string, number>();

  constructor(readonly name: string, inputShape: number[], seed: number) {
    this.rng = new Random(seed);
    this.nodes.push({ op: 'input', name: 'input', inputs: [], shape: inputShape, weights: {} });
  }

  private add(op: NetOp, inputs: number[], shape: number[], weights: Record<string, Float32Array> = {}, name?: string): number {
    const n = (this.counts.get(op.op) ?? 0) + 1;
    this.counts.set(op.op, n);
    this.nodes.push({ ...op, name: name ?? `${op.op}_${n}`, inputs, shape, weights });
    return this.nodes.length - 1;
  }

  shape(i: number): number[] {
    return this.nodes[i].shape;
  }

  private kernel(fanIn: number, count: number): Float32Array {
    const limit = Math.sqrt(6 / fanIn);
    return this.rng.array(count, -limit, limit);
  }

  conv(x: number, o: { filters: number; k: number; stride?: number; padding?: 'same' | 'valid'; useBias?: boolean; activation?: 'linear' | 'relu' | 'sigmoid' }, name?: string): number {
    const [h, w, c] = this.shape(x), stride = o.stride ?? 1, padding = o.padding ?? 'same', useBias = o.useBias ?? true;
    const out = padding === 'same' ? [SAME_STRIDE(h, stride), SAME_STRIDE(w, stride)] : [Math.floor((h - o.k) / stride) + 1, Math.floor((w - o.k) / stride) + 1];
    const weights: Record<string, Float32Array> = { kernel: this.kernel(o.k * o.k * c, o.k * o.k * c * o.filters) };
    if (useBias) weights.bias = this.rng.array(o.filters, -0.1, 0.1);
    return this.add({ op: 'conv', k: o.k, stride, filters: o.filters, padding, useBias, activation: o.activation ?? 'linear' }, [x], [...out, o.filters], weights, name);
  }

  depthwise(x: number, o: { k: number; stride: number; padding: 'same' | 'valid' }, name?: string): number {
    const [h, w, c] = this.shape(x);
    const out = o.padding === 'same' ? [SAME_STRIDE(h, o.stride), SAME_STRIDE(w, o.stride)] : [Math.floor((h - o.k) / o.stride) + 1, Math.floor((w - o.k) / o.stride) + 1];
    return this.add({ op: 'depthwise', ...o }, [x], [...out, c], { kernel: this.kernel(o.k * o.k, o.k * o.k * c) }, name);
  }

  /** Moving statistics that matter: mean off zero, variance in [0.5, 2], gamma around 1. */
  batchnorm(x: number, name?: string): number {
    const c = this.shape(x)[2];
    const weights = {
      gamma: this.rng.array(c, 0.6, 1.4), beta: this.rng.array(c, -0.2, 0.2),
      movingMean: this.rng.array(c, -0.3, 0.3), movingVariance: this.rng.array(c, 0.5, 2),
    };
    return this.add({ op: 'batchnorm', epsilon: 1e-3 }, [x], this.shape(x), weights, name);
  }

  relu6(x: number, name?: string): number {
    return this.add({ op: 'relu6' }, [x], this.shape(x), {}, name);
  }

  zeropad(x: number, pad: [number, number, number, number], name?: string): number {
    const [h, w, c] = this.shape(x);
    return this.add({ op: 'zeropad', pad }, [x], [h + pad[0] + pad[1], w + pad[2] + pad[3], c], {}, name);
  }

  addition(a: number, b: number, name?: string): number {
    return this.add({ op: 'add' }, [a, b], this.shape(a), {}, name);
  }

  concat(a: number, b: number, name?: string): number {
    const [h, w, c] = this.shape(a);
    return this.add({ op: 'concat' }, [a, b], [h, w, c + this.shape(b)[2]], {}, name);
  }

  convTranspose(x: number, o: { filters: number; k: number; stride: number; activation?: 'linear' | 'relu' }, name?: string): number {
    const [h, w, c] = this.shape(x);
    const weights = { kernel: this.kernel(o.k * o.k * c, o.k * o.k * o.filters * c), bias: this.rng.array(o.filters, -0.1, 0.1) };
    return this.add({ op: 'convTranspose', ...o, activation: o.activation ?? 'linear' }, [x], [h * o.stride, w * o.stride, o.filters], weights, name);
  }

  upsample(x: number, size: number, name?: string): number {
    const [h, w, c] = this.shape(x);
    return this.add({ op: 'upsample', size }, [x], [h * size, w * size, c], {}, name);
  }

  maxpool(x: number, size: number, name?: string): number {
    const [h, w, c] = this.shape(x);
    return this.add({ op: 'maxpool', size }, [x], [Math.floor(h / size), Math.floor(w / size), c], {}, name);
  }

  gap(x: number, name?: string): number {
    return this.add({ op: 'gap' }, [x], [this.shape(x)[2]], {}, name);
  }

  dense(x: number, units: number, name?: string): number {
    const inputs = this.shape(x)[0];
    const limit = Math.sqrt(6 / (inputs + units)); // Glorot, as Keras's Dense
    return this.add({ op: 'dense', units, activation: 'softmax' }, [x], [units], { kernel: this.rng.array(inputs * units, -limit, limit), bias: this.rng.array(units, -0.1, 0.1) }, name);
  }

  done(depth: number): Network {
    return { name: this.name, nodes: this.nodes, depth };
  }
}

/** Multiply-adds times two of one sample through the network (convolutions, transposed, depthwise, dense). */
export function networkFlops(net: Network): number {
  let flops = 0;
  for (const n of net.nodes) {
    const inC = n.inputs.length ? net.nodes[n.inputs[0]].shape.at(-1)! : 0;
    const inShape = n.inputs.length ? net.nodes[n.inputs[0]].shape : [];
    if (n.op === 'conv') flops += 2 * n.shape[0] * n.shape[1] * n.shape[2] * n.k * n.k * inC;
    else if (n.op === 'depthwise') flops += 2 * n.shape[0] * n.shape[1] * n.shape[2] * n.k * n.k;
    else if (n.op === 'convTranspose') flops += 2 * inShape[0] * inShape[1] * inC * n.k * n.k * n.filters;
    else if (n.op === 'dense') flops += 2 * inC * n.units;
  }
  return flops;
}
