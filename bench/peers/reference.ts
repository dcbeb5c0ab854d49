// The float64 reference output of a workload (test/helpers/reference.ts, convkit's oracle),
// written for the children to verify against: float32 values, then float32 sums of |terms|.
import { writeFileSync } from 'node:fs';
import { conv2dRef, denseRef, maxpool2dRef, type WindowSpec } from '../../test/helpers/reference';
import { windowSpec } from '../../test/helpers/configs';
import type { WorkloadData } from '../data';
import type { Workload } from '../workloads';

function window(w: Workload): WindowSpec {
  const k = w.k!, s = w.stride ?? (w.op === 'maxpool' ? k : 1);
  const padding = w.pad !== undefined ? [w.pad, w.pad, w.pad, w.pad] as [number, number, number, number] : (w.padding ?? (w.op === 'maxpool' ? 'valid' : 'same'));
  return windowSpec(w.h!, w.w!, [k, k], [s, s], [1, 1], padding);
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
