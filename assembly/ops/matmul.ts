// The packed GEMM of a plan (Dense, pointwise Conv2D, ONNX Gemm after the JavaScript side has
// packed B and written beta * C): task t is one block of rows by one block of 16-column panels.
// Mirrors native/ops/matmul.cc.
import { ACTIVATION_RELU, NR } from '../generated/kernels';
import { Job } from '../generated/job';
import { gemmTile } from '../kernels/gemm-driver';

export function matmulTask(j: Job, task: i32, workspace: usize): void {
  const panels = (j.cols + NR - 1) / NR;
  const panelBlocks = (panels + j.panelsPerTask - 1) / j.panelsPerTask;
  const m0 = task / panelBlocks * j.rowsPerTask, p0 = task % panelBlocks * j.panelsPerTask;
  gemmTile(m0, min(j.m, m0 + j.rowsPerTask), p0, min(panels, p0 + j.panelsPerTask), j.cols, j.k, j.kBlock,
    j.x, j.lda, j.w, j.y, j.cols, j.bias, j.activation == ACTIVATION_RELU, j.accumulate != 0, workspace);
}
