// The steps of a weighted layer's backward besides its two GEMMs (matmul.ts) and col2im: the
// bias gradient, packing the GEMMs' B operands, and A^T, the transposed input rows.
// Mirrors native/ops/weighted-grad.cc.
import { NR } from '../generated/kernels';
import { Job } from '../generated/job';
import { packWeights } from '../kernels/pack-weights';
import { im2colNhwc } from './im2col';

/**
 * db = column sums of g (x: m rows of cols floats) into y, each in float64 over the rows in
 * order, rounded once. One task; the workspace slot holds cols float64 sums.
 */
export function columnSumsTask(j: Job, workspace: usize): void {
  const n = <usize>j.cols, rows = <usize>j.m, g = <usize>j.x;
  memory.fill(workspace, 0, n << 3);
  for (let r: usize = 0; r < rows; r++) {
    const row = g + (r * n << 2);
    for (let c: usize = 0; c < n; c++) store<f64>(workspace + (c << 3), load<f64>(workspace + (c << 3)) + <f64>load<f32>(row + (c << 2)));
  }
  for (let c: usize = 0; c < n; c++) store<f32>(<usize>j.y + (c << 2), <f32>load<f64>(workspace + (c << 3)));
}

/** Panels [t * panelsPerTask, ...) of B (k x cols, B(k, n) at x + 4 * (k * lda + n * colStride)) packed into y. */
export function packTask(j: Job, task: i32): void {
  const n0 = task * j.panelsPerTask * NR, n1 = min(j.cols, n0 + j.panelsPerTask * NR);
  packWeights(j.k, n1 - n0, <usize>j.x + (<usize>n0 * j.colStride << 2), j.lda, j.colStride, 1, <usize>j.y + (<usize>n0 * j.k << 2));
}

/**
 * Rows [row0 + t * rowsPerTask, ...) of A (m rows from row0, k columns) written as columns of
 * A^T (k x m, at y): A is im2col(x) for a convolution (kh > 0; each row expanded into the slot
 * first), else x itself (Dense).
 */
export function expandTransposedTask(j: Job, task: i32, workspace: usize): void {
  const m = <usize>j.m, k = <usize>j.k, r0 = task * j.rowsPerTask, r1 = min(j.m, r0 + j.rowsPerTask);
  const at = <usize>j.y;
  for (let r = r0; r < r1; r++) {
    let row = <usize>j.x + (<usize>(j.row0 + r) * k << 2);
    if (j.kh > 0) {
      im2colNhwc(j, j.row0 + r, 1, workspace);
      row = workspace;
    }
    for (let c: usize = 0; c < k; c++) store<f32>(at + ((c * m + <usize>r) << 2), load<f32>(row + (c << 2)));
  }
}
