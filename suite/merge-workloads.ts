// The merge workloads of bench:peers (two inputs each, so they live apart from the single-input
// suite that bench, browser and the parity test also run): add and concatenate of two
// 28 x 28 x 96 maps, batch 1, as ResNet's residual add and DenseNet's or U-Net's concatenation.
// Their data, float64 reference, and how each peer runs them.
import * as ck from '../lib/index';
import type { RefResult } from './reference';
import { loadWorkloads, type Workload } from './workloads';

export const MERGE_WORKLOADS: readonly Workload[] = [
  { id: 'M1', name: 'add 28x28x96', op: 'add', n: 1, h: 28, w: 28, c: 96 },
  { id: 'M2', name: 'concat 28x28x96', op: 'concat', n: 1, h: 28, w: 28, c: 96 },
];

/** What bench:peers runs: the suite, then the merges. */
export const peerWorkloads = (): Workload[] => [...loadWorkloads(), ...MERGE_WORKLOADS];

export const isMerge = (w: Workload): boolean => w.op === 'add' || w.op === 'concat';

/** NHWC shapes of the two inputs and of the output. */
export function mergeShapes(w: Workload): { input: number[]; output: number[] } {
  const input = [w.n, w.h!, w.w!, w.c!];
  return { input, output: w.op === 'add' ? input : [w.n, w.h!, w.w!, 2 * w.c!] };
}

/** Bytes a run moves: both inputs read, the output written. */
export const mergeBytes = (w: Workload): number => 4 * (2 * w.n * w.h! * w.w! * w.c! + mergeShapes(w).output.reduce((p, d) => p * d, 1));

/** The float64 reference: a + b (exact in float64), or the channels of a then of b. */
export function mergeRef(w: Workload, a: Float32Array, b: Float32Array): RefResult {
  const c = w.c!, out = new Float64Array(mergeShapes(w).output.reduce((p, d) => p * d, 1)), absSum = new Float64Array(out.length);
  if (w.op === 'add') {
    for (let i = 0; i < a.length; i++) (out[i] = a[i] + b[i]), (absSum[i] = Math.abs(a[i]) + Math.abs(b[i]));
  } else {
    for (let p = 0; p < a.length / c; p++)
      for (let j = 0; j < c; j++) (out[p * 2 * c + j] = a[p * c + j]), (out[p * 2 * c + c + j] = b[p * c + j]);
    absSum.set(out.map(Math.abs));
  }
  return { shape: mergeShapes(w).output, data: out, absSum };
}

/** convkit's layer for the workload. */
export const mergeLayer = (w: Workload): ck.MultiInputLayer => (w.op === 'add' ? new ck.Add() : new ck.Concatenate({ axis: -1 }));

/** The ONNX nodes (NCHW: Concat on axis 1) from inputs x and x2 to y. */
export const mergeOnnxNodes = (w: Workload): object[] => [
  w.op === 'add'
    ? { opType: 'Add', input: ['x', 'x2'], output: ['y'], name: 'add' }
    : { opType: 'Concat', input: ['x', 'x2'], output: ['y'], name: 'concat', attribute: [{ name: 'axis', i: 1, type: 2 }] },
];
