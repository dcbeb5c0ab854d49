// The float64 reference output of a workload (suite/reference.ts, convkit's oracle), written
// for the children to verify against: float32 values, then float32 sums of |terms|.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolveWindow, type Window } from '../../lib/shape';
import type { WorkloadData } from '../../suite/data';
import { avgpool2dRef, conv2dRef, denseRef, depthwiseRef, maxpool2dRef, type RefResult } from '../../suite/reference';
import { conv2dTransposeRef, upsampleRef } from '../../suite/reference-resample';
import { windowOf, type Workload } from '../../suite/workloads';
import { isMerge, mergeRef } from '../../suite/merge-workloads';

function window(w: Workload): Window {
  const { k, stride, padding } = windowOf(w);
  return resolveWindow([k, k], [stride, stride], [1, 1], padding, w.h!, w.w!);
}

/** The transposed convolution or upsampling of a workload ('valid' padding: no crop, Keras's size). */
function resampleRef(w: Workload, d: WorkloadData): RefResult {
  if (w.op === 'upsample') return upsampleRef(d.input, d.inputShape, [w.k!, w.k!], w.interpolation === 'bilinear');
  const [n, oh, ow, oc] = d.outputShape;
  const g = { n, h: w.h!, w: w.w!, c: w.c!, kh: w.k!, kw: w.k!, sh: w.stride!, sw: w.stride!, dh: 1, dw: 1, pt: 0, pl: 0, oh, ow, oc };
  return conv2dTransposeRef(d.input, d.kernel!, d.bias, g, 'linear');
}

/** A grouped kernel [k, k, c / groups, filters] as the dense [k, k, c, filters] of the same convolution (zero where a filter does not read a channel). */
function denseKernel(w: Workload, kernel: Float32Array): Float32Array {
  const g = w.groups ?? 1, c = w.c!, f = w.filters!, cpg = c / g, opg = f / g, out = new Float32Array(w.k! * w.k! * c * f);
  for (let t = 0; t < w.k! * w.k!; t++)
    for (let ch = 0; ch < c; ch++)
      for (let o = Math.floor(ch / cpg) * opg; o < (Math.floor(ch / cpg) + 1) * opg; o++) out[(t * c + ch) * f + o] = kernel[(t * cpg + ch % cpg) * f + o];
  return out;
}

export function writeReference(w: Workload, d: WorkloadData, path: string): void {
  const ref = isMerge(w) ? mergeRef(w, d.input, d.second!) : w.op === 'upsample' || w.op === 'conv2dTranspose' ? resampleRef(w, d) : w.op === 'conv2d' ? conv2dRef(d.input, d.inputShape, denseKernel(w, d.kernel!), w.filters!, window(w), d.bias, w.activation === 'relu' ? 'relu' : 'linear')
    : w.op === 'maxpool' ? maxpool2dRef(d.input, d.inputShape, window(w))
      : w.op === 'avgpool' || w.op === 'globalavgpool' ? avgpool2dRef(d.input, d.inputShape, window(w), false)
      : w.op === 'depthwise' ? depthwiseRef(d.input, d.inputShape, d.kernel!, d.bias, 1, window(w), w.activation === 'relu')
      : denseRef(d.input, w.n, w.in!, d.kernel!, w.units!, d.bias, w.activation === 'relu' ? 'relu' : 'linear');
  const out = new Float32Array(ref.data.length * 2);
  out.set(ref.data);
  out.set(ref.absSum, ref.data.length);
  writeFileSync(path, out);
}

/** Largest error of y relative to the reference's sum of |terms| (the file writeReference wrote). */
export function maxError(y: Float32Array, referencePath: string): number {
  const bytes = readFileSync(referencePath);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const n = all.length / 2;
  if (y.length !== n) return Infinity;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const e = all[i], scale = Math.max(all[n + i], Math.abs(e)) + 1e-6;
    const err = Number.isNaN(y[i]) ? Infinity : Math.abs(y[i] - e) / scale;
    if (err > worst) worst = err;
  }
  return worst;
}
