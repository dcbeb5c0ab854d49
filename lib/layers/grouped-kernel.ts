// A grouped convolution's kernel in its three forms. Keras's [kh, kw, c / groups, filters] is a
// taps * (c / groups) by filters matrix whose columns [g f, (g + 1) f) (f = filters / groups)
// belong to group g. The backends pack it with each group's columns zero-padded to whole panels
// (groupedColumns), so a group's GEMM reads panels of its own; the backward runs on the
// block-diagonal [kh, kw, c, filters] kernel of the same convolution.
import { groupedColumns } from '../backends/backend';

export interface GroupedShape {
  taps: number;
  /** Input channels per group. */
  depth: number;
  filters: number;
  groups: number;
}

/** The kernel with group g's columns at g * panelled columns: k x groupedColumns(filters, groups). */
export function toGroupPanels(kernel: Float32Array, s: GroupedShape): { matrix: Float32Array; k: number; n: number } {
  const k = s.taps * s.depth, f = s.filters / s.groups, n = groupedColumns(s.filters, s.groups), step = n / s.groups;
  const matrix = new Float32Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let g = 0; g < s.groups; g++) matrix.set(kernel.subarray(r * s.filters + g * f, r * s.filters + (g + 1) * f), r * n + g * step);
  }
  return { matrix, k, n };
}

/** The kernel from toGroupPanels's matrix. */
export function fromGroupPanels(matrix: Float32Array, filters: number, groups: number): Float32Array {
  const n = groupedColumns(filters, groups), k = matrix.length / n, f = filters / groups, step = n / groups;
  const kernel = new Float32Array(k * filters);
  for (let r = 0; r < k; r++) {
    for (let g = 0; g < groups; g++) kernel.set(matrix.subarray(r * n + g * step, r * n + g * step + f), r * filters + g * f);
  }
  return kernel;
}

/**
 * The kernel of the same convolution in `into` groups (a divisor of s.groups; 1: the dense
 * [taps, depth * groups, filters] kernel): input channel g * depth + i feeds group g's columns
 * only, zero elsewhere in its group of `into`. With `back`, the inverse: those diagonal blocks
 * (of a dense convolution's dW, say) as the kernel of s.groups groups.
 */
export function blockDiagonal(kernel: Float32Array, s: GroupedShape, back = false, into = 1): Float32Array {
  const c = s.depth * s.groups, f = s.filters / s.groups, wide = c / into;
  const out = new Float32Array(back ? s.taps * s.depth * s.filters : s.taps * wide * s.filters);
  for (let t = 0; t < s.taps; t++) {
    for (let ch = 0; ch < c; ch++) {
      const g = Math.floor(ch / s.depth), grouped = (t * s.depth + ch % s.depth) * s.filters + g * f, dense = (t * wide + ch % wide) * s.filters + g * f;
      if (back) out.set(kernel.subarray(dense, dense + f), grouped);
      else out.set(kernel.subarray(grouped, grouped + f), dense);
    }
  }
  return out;
}
