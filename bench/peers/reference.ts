// The float64 reference output of a workload (test/helpers/reference.ts, convkit's oracle),
// written for the children to verify against: float32 values, then float32 sums of |terms|.
import { writeFileSync } from 'node:fs';
import { conv2dRef, denseRef, maxpool2dRef, type WindowSpec } from '../../test/helpers/reference';
import type { WorkloadData } from '../data';
import type { Workload } from '../workloads';

function samePads(size: number, k: number, s: number): [number, number] {
  const total = Math.max(0, (Math.ceil(size / s) - 1) * s + k - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function window(w: Workload): WindowSpec {
  const k = w.k!, s = w.stride ?? (w.op === 'maxpool' ? k : 1);
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (w.pad !== undefined) pads = [w.pad, w.pad, w.pad, w.pad];
  else if ((w.padding ?? (w.op === 'maxpool' ? 'valid' : 'same')) === 'same') pads = [...samePads(w.h!, k, s), ...samePads(w.w!, k, s)];
  return { kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, pads };
}

export function writeReference(w: Workload, d: WorkloadData, path: string): void {
  const relu = w.activation === 'relu';
  const ref = w.op === 'conv2d' ? conv2dRef(d.input, d.inputShape, d.kernel!, w.filters!, window(w), d.bias, relu)
    : w.op === 'maxpool' ? maxpool2dRef(d.input, d.inputShape, window(w))
      : denseRef(d.input, w.n, w.in!, d.kernel!, w.units!, d.bias, relu);
  const out = new Float32Array(ref.data.length * 2);
  out.set(ref.data);
  out.set(ref.absSum, ref.data.length);
  writeFileSync(path, out);
}
