// Deterministic data for a workload, the same for every bench candidate and the parity test: the
// NHWC input, the HWIO (or [in, units]) kernel, the bias, and the output shape. Weights are
// He-uniform-sized values.
import * as ck from '../lib/index';
import { product } from '../lib/shape';
import { inputShape, makeLayer, type Workload } from './workloads';
import { isMerge, mergeShapes } from './merge-workloads';

export interface WorkloadData {
  input: Float32Array;
  inputShape: number[];
  kernel: Float32Array | null;
  bias: Float32Array | null;
  outputShape: number[];
  /** The second input of a merge workload (shaped like the first). */
  second?: Float32Array;
}

function uniform(length: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return out;
}

export function workloadData(w: Workload): WorkloadData {
  const shape = inputShape(w);
  const input = uniform(product(shape), 7, 1);
  if (isMerge(w)) return { input, inputShape: shape, kernel: null, bias: null, outputShape: mergeShapes(w).output, second: uniform(product(shape), 17, 1) };
  let kernel: Float32Array | null = null, bias: Float32Array | null = null;
  if (w.op === 'conv2d' || w.op === 'dense' || w.op === 'depthwise' || w.op === 'conv2dTranspose') {
    // A transposed convolution's kernel is [k, k, filters, c]: the same count as a convolution's.
    const fanIn = w.op === 'dense' ? w.in! : w.op === 'depthwise' ? w.k! * w.k! : w.k! * w.k! * w.c! / (w.groups ?? 1);
    const units = w.op === 'dense' ? w.units! : w.op === 'depthwise' ? w.c! : w.filters!;
    kernel = uniform(fanIn * units, 11, Math.sqrt(6 / fanIn));
    bias = uniform(units, 13, 0.1);
  }
  const outputShape = makeLayer(w).outputShape(shape);
  return { input, inputShape: shape, kernel, bias, outputShape };
}

/** The convkit layer of a workload with this data's weights. */
export function convkitLayer(w: Workload, d: WorkloadData): ck.Layer {
  const layer = makeLayer(w);
  if (d.kernel) layer.setWeights({ kernel: d.kernel, bias: d.bias });
  return layer;
}
