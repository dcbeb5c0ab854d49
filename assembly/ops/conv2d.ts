// Conv2D, as the plan says: the GEMM path multiplies x itself (matmul.ts); on the im2col path
// task t expands segment t of output rows into the participant's workspace (after its edge
// tile) and multiplies it by the packed weights. Mirrors native/ops/conv2d.cc.
import { ACTIVATION_RELU, NR, PATH_GEMM } from '../generated/kernels';
import { Job } from '../generated/job';
import { gemmTile, TILE_SCRATCH_BYTES } from '../kernels/gemm-driver';
import { im2colNhwc } from './im2col';
import { matmulTask } from './matmul';

export function conv2dTask(j: Job, task: i32, workspace: usize): void {
  if (j.path == PATH_GEMM) {
    matmulTask(j, task, workspace);
    return;
  }
  const r0 = task * j.rowsPerTask, len = min(j.rowsPerTask, j.m - r0);
  const a = workspace + TILE_SCRATCH_BYTES;
  im2colNhwc(j, r0, len, a);
  gemmTile(0, len, 0, (j.oc + NR - 1) / NR, j.oc, j.k, 0, j.k, j.kBlock, a, j.k, j.w, <usize>j.y + (<usize>r0 * j.oc << 2), j.oc,
    j.bias, j.activation == ACTIVATION_RELU, false, true, workspace);
}
