// GEMM task (Dense, and Gemm after the JavaScript side has packed B and written beta * C):
// a block of rows by a block of 16-column panels.
import { ACTIVATION_RELU } from '../kernels/activation';
import { gemmTile } from '../kernels/gemm-driver';
import { NR } from '../kernels/pack-weights';
import { Job } from '../job';

export function gemmTask(j: Job, task: i32, workspace: usize): void {
  const panels = (j.cols + NR - 1) / NR;
  const panelBlocks = (panels + j.panelsPerTask - 1) / j.panelsPerTask;
  const rb = task / panelBlocks, pb = task % panelBlocks;
  const m0 = rb * j.rowsPerTask, p0 = pb * j.panelsPerTask;
  gemmTile(m0, min(j.m, m0 + j.rowsPerTask), p0, min(panels, p0 + j.panelsPerTask), j.cols, j.k,
    j.x, j.lda, j.w, j.y, j.cols, j.bias, j.activation == ACTIVATION_RELU, j.accumulate != 0, workspace);
}
