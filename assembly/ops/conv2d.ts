// Conv2D task: one im2col segment of output rows, expanded into the participant's workspace
// and multiplied by the packed weights. 1x1 stride-1 unpadded convolutions read x directly.
import { ACTIVATION_RELU } from '../kernels/activation';
import { gemmTile, TILE_SCRATCH_BYTES } from '../kernels/gemm-driver';
import { NR } from '../kernels/pack-weights';
import { Job } from '../job';
import { im2col } from './im2col';

function isPointwise(j: Job): bool {
  return j.kh == 1 && j.kw == 1 && j.sh == 1 && j.sw == 1 && j.pt == 0 && j.pb == 0 && j.pl == 0 && j.pr == 0;
}

export function conv2dTask(j: Job, task: i32, workspace: usize): void {
  const rows = j.n * j.oh * j.ow, k = j.kh * j.kw * j.c;
  const r0 = task * j.rowsPerTask, len = min(j.rowsPerTask, rows - r0);
  const panels = (j.oc + NR - 1) / NR;
  let a = <usize>j.x + (<usize>r0 * k << 2);
  let scratch = workspace;
  if (!isPointwise(j)) {
    a = workspace + TILE_SCRATCH_BYTES;
    im2col(j, r0, len, a);
  }
  gemmTile(0, len, 0, panels, j.oc, k, a, k, j.w, <usize>j.y + (<usize>r0 * j.oc << 2), j.oc, j.bias,
    j.activation == ACTIVATION_RELU, false, scratch);
}
