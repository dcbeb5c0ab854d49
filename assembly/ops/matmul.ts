// The packed GEMM of a plan (Dense, pointwise Conv2D, ONNX Gemm after the JavaScript side has
// packed B with alpha folded in): task t is one block of rows by one block of 16-column panels,
// each writing beta * C into its own block of y first when the job has an addend, or, when the
// plan splits K, chunk t of K over the whole output. Mirrors native/ops/matmul.cc.
import { NR } from '../generated/kernels';
import { Job } from '../generated/job';
import { increment } from '../kernels/atomic-increment';
import { clampMax, clampMin } from '../kernels/clamp';
import { gemmTile } from '../kernels/gemm-driver';

export function matmulTask(j: Job, task: i32, workspace: usize): void {
  const panels = (j.cols + NR - 1) / NR;
  if (j.kSplits > 1) {
    chunkTask(j, task, panels, workspace);
    return;
  }
  const panelBlocks = (panels + j.panelsPerTask - 1) / j.panelsPerTask;
  const m0 = task / panelBlocks * j.rowsPerTask, p0 = task % panelBlocks * j.panelsPerTask;
  const m1 = min(j.m, m0 + j.rowsPerTask), p1 = min(panels, p0 + j.panelsPerTask);
  if (j.addend != 0) {
    for (let i = m0; i < m1; i++) {
      for (let c = p0 * NR; c < min(j.cols, p1 * NR); c++) store<f32>(<usize>j.y + ((<usize>i * j.cols + c) << 2), addend(j, i, c));
    }
  }
  gemmTile(m0, m1, p0, p1, j.cols, j.k, 0, j.k, j.kBlock,
    j.x, j.lda, j.w, j.y, j.cols, j.bias, clampMin(j.activation), clampMax(j.activation), j.accumulate != 0 || j.addend != 0, true, workspace);
}

/** beta * C[i, c], C broadcast to m x cols. */
function addend(j: Job, i: i32, c: i32): f32 {
  const at = (j.addendRows == 1 ? 0 : i) * j.addendCols + (j.addendCols == 1 ? 0 : c);
  return j.beta * load<f32>(<usize>j.addend + (<usize>at << 2));
}

/**
 * Chunk s of a split K (the plan has one block, the whole output, so task s is chunk s): its
 * partial product, without bias or clamp, into partial s of the shared workspace. The task that
 * finishes the last chunk, whichever thread runs it, then sums them all in chunk order: one job,
 * no second round of waking the workers (the sum is kSplits x m x n adds, 1/kChunk of the
 * multiply-adds). Its atomic count orders every other chunk's stores before the sum reads them.
 */
function chunkTask(j: Job, s: i32, panels: i32, workspace: usize): void {
  const k0 = s * j.kChunk, k1 = min(j.k, k0 + j.kChunk);
  const partial = <usize>j.shared + (<usize>s * j.m * j.cols << 2);
  gemmTile(0, j.m, 0, panels, j.cols, j.k, k0, k1, j.kBlock, j.x, j.lda, j.w, partial, j.cols, 0, -Infinity, Infinity, false, false, workspace);
  if (increment(changetype<usize>(j) + offsetof<Job>('chunksDone')) + 1 == j.kSplits) sumChunks(j);
}

/**
 * y = clamp((y if accumulating) + partial 0 + partial 1 + ... + bias), as native's SumChunks:
 * the same order of additions whatever the thread count.
 */
function sumChunks(j: Job): void {
  const n = <usize>j.cols, mn = <usize>j.m * n, minv = clampMin(j.activation), maxv = clampMax(j.activation);
  const partials = <usize>j.shared, y = <usize>j.y, bias = <usize>j.bias;
  for (let i: usize = 0; i < mn; i += n) {
    for (let c: usize = 0; c < n; c++) {
      const at = (i + c) << 2;
      let v = load<f32>(partials + at);
      for (let s: usize = 1; s < <usize>j.kSplits; s++) v += load<f32>(partials + s * (mn << 2) + at);
      if (j.accumulate != 0) v = load<f32>(y + at) + v;
      else if (j.addend != 0) v = addend(j, <i32>(i / n), <i32>c) + v;
      if (bias != 0) v += load<f32>(bias + (c << 2));
      // NaN passes through, as in the micro-kernels' pmax and pmin.
      if (v < minv) v = minv;
      if (v > maxv) v = maxv;
      store<f32>(y + at, v);
    }
  }
}
