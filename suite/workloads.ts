// The standard workload suite (suite/workloads.json), shared by bench/ and test/: loading, FLOP
// counts, and the convkit layer and input each workload runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { product } from '../lib/shape';
import { isMerge, mergeBytes } from './merge-workloads';

export interface Workload {
  id: string;
  name: string;
  op: 'conv2d' | 'maxpool' | 'dense' | 'avgpool' | 'globalavgpool' | 'depthwise' | 'conv2dTranspose' | 'upsample' | 'add' | 'concat' | 'network';
  /** network: which real network (bench/networks), n its batch and h, w, c its input. */
  network?: 'mobilenetv2' | 'unet';
  /** upsample: 'nearest' or 'bilinear' (k is the factor). */
  interpolation?: 'nearest' | 'bilinear';
  n: number;
  h?: number; w?: number; c?: number;
  filters?: number; k?: number; stride?: number;
  padding?: 'valid' | 'same'; pad?: number;
  in?: number; units?: number;
  activation?: 'linear' | 'relu';
  /** conv2d: channel groups (Keras's groups, ONNX's group). */
  groups?: number;
}

export function loadWorkloads(): Workload[] {
  return JSON.parse(readFileSync(join(__dirname, 'workloads.json'), 'utf8')).workloads;
}

/**
 * The window of a conv or pool workload with the suite's defaults filled in: stride 1 (conv) or
 * the window size (pool), padding 'same' (conv) or 'valid' (pool); 'pad' is explicit padding.
 */
export function windowOf(w: Workload): { k: number; stride: number; padding: ck.Padding } {
  // A global pool is a pool whose window is the (square) image.
  if (w.op === 'globalavgpool') return { k: w.h!, stride: 1, padding: 'valid' };
  const pool = w.op === 'maxpool' || w.op === 'avgpool';
  return {
    k: w.k!, stride: w.stride ?? (pool ? w.k! : 1),
    padding: w.pad !== undefined ? [w.pad, w.pad, w.pad, w.pad] : (w.padding ?? (pool ? 'valid' : 'same')),
  };
}

export function inputShape(w: Workload): number[] {
  return w.op === 'dense' ? [w.n, w.in!] : [w.n, w.h!, w.w!, w.c!];
}

/** The layer a workload runs, with deterministic weights. */
export function makeLayer(w: Workload): ck.Layer {
  if (w.op === 'dense') return new ck.Dense({ units: w.units!, activation: w.activation ?? 'linear', seed: 1 });
  const { k, stride, padding } = windowOf(w);
  if (w.op === 'maxpool') return new ck.MaxPool2D({ poolSize: k, strides: stride, padding });
  if (w.op === 'avgpool') return new ck.AveragePooling2D({ poolSize: k, strides: stride, padding });
  if (w.op === 'globalavgpool') return new ck.GlobalAveragePooling2D({ keepdims: true });
  if (w.op === 'depthwise') return new ck.DepthwiseConv2D({ kernelSize: k, strides: stride, padding, activation: w.activation ?? 'linear', seed: 1 });
  if (w.op === 'upsample') return new ck.UpSampling2D({ size: k, interpolation: w.interpolation });
  if (w.op === 'conv2dTranspose') return new ck.Conv2DTranspose({ filters: w.filters!, kernelSize: k, strides: stride, padding: w.padding, seed: 1 });
  return new ck.Conv2D({ filters: w.filters!, kernelSize: k, strides: stride, padding, groups: w.groups, activation: w.activation ?? 'linear', seed: 1 });
}

/** Work per run: FLOPs for conv and dense (the suite's formula), bytes moved for pooling and depthwise convolution (memory-bound). */
export function work(w: Workload, outputShape: number[]): { amount: number; unit: 'GFLOP/s' | 'GB/s' } {
  if (w.op === 'conv2d') {
    const [n, oh, ow, oc] = outputShape;
    return { amount: 2 * n * oh * ow * oc * w.k! * w.k! * w.c! / (w.groups ?? 1), unit: 'GFLOP/s' };
  }
  // Each input pixel's c-term dot product with each of the k * k * filters columns.
  if (w.op === 'conv2dTranspose') return { amount: 2 * w.n * w.h! * w.w! * w.c! * w.k! * w.k! * w.filters!, unit: 'GFLOP/s' };
  if (w.op === 'dense') return { amount: 2 * w.n * w.in! * w.units!, unit: 'GFLOP/s' };
  if (isMerge(w)) return { amount: mergeBytes(w), unit: 'GB/s' };
  const inputs = w.n * w.h! * w.w! * w.c!, outputs = product(outputShape);
  return { amount: 4 * (inputs + outputs), unit: 'GB/s' };
}
