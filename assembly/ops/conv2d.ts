// Conv2D, as the plan says: the GEMM path multiplies x itself (matmul.ts); the indirect path
// reads x through task t's indirection buffer (SIMD builds); on the im2col path task t expands
// segment t of output rows. Either way into the participant's workspace, after its edge tile.
// Mirrors native/ops/conv2d.cc.
import { MR, NR, PATH_GEMM, PATH_INDIRECT_GEMM } from '../generated/kernels';
import { Job } from '../generated/job';
import { clampMax, clampMin } from '../kernels/clamp';
import { gemmTile, TILE_SCRATCH_BYTES } from '../kernels/gemm-driver';
import { igemmTile } from '../kernels/igemm-driver';
import { im2colNhwc } from './im2col';
import { indirectionNhwc } from './indirection';
import { matmulTask } from './matmul';

export function conv2dTask(j: Job, task: i32, workspace: usize): void {
  if (j.path == PATH_GEMM) {
    matmulTask(j, task, workspace);
    return;
  }
  const a = workspace + TILE_SCRATCH_BYTES;
  const minv = clampMin(j.activation), maxv = clampMax(j.activation);
  if (ASC_FEATURE_SIMD && j.path == PATH_INDIRECT_GEMM) {
    // Task t: a run of rows by a group of panels.
    const panels = (j.oc + NR - 1) / NR, groups = (panels + j.panelsPerTask - 1) / j.panelsPerTask;
    const r0 = task / groups * j.rowsPerTask, len = min(j.rowsPerTask, j.m - r0);
    const p0 = task % groups * j.panelsPerTask;
    const taps = j.kh * j.kw;
    // The kept buffer: task t's rows are a slice of it (they start on a whole tile). Tasks of
    // one rows' run over other panels write the same values, each before it reads them.
    let ind = a;
    if (j.indirection != 0) ind = <usize>j.indirection + (<usize>(r0 / MR * taps * MR) << 2);
    if (j.indirection == 0 || j.indirectionBuilt == 0) indirectionNhwc(j, r0, len, j.zeros, ind);
    igemmTile(len, j.oc, p0, min(panels, p0 + j.panelsPerTask), taps, j.c, ind, j.w, <usize>j.y + (<usize>r0 * j.oc << 2), j.oc,
      j.bias, minv, maxv, workspace);
    return;
  }
  // Task t: segment t % segments of group t / segments (native/ops/conv2d.cc): the group's
  // channels of each tap, its own panels, its columns of y's rows.
  const segments = (j.m + j.rowsPerTask - 1) / j.rowsPerTask, g = task / segments;
  const r0 = task % segments * j.rowsPerTask, len = min(j.rowsPerTask, j.m - r0);
  const groups = max(1, j.groups), cpg = j.c / groups, opg = j.oc / groups, panels = (opg + NR - 1) / NR;
  im2colNhwc(j, r0, len, a, g * cpg, cpg);
  const w = <usize>j.w + (<usize>(g * panels * NR) * <usize>j.k << 2), bias: usize = j.bias == 0 ? 0 : <usize>j.bias + (<usize>(g * opg) << 2);
  gemmTile(0, len, 0, panels, opg, j.k, 0, j.k, j.kBlock, a, j.k, w, <usize>j.y + ((<usize>r0 * j.oc + <usize>(g * opg)) << 2), j.oc,
    bias, minv, maxv, false, true, workspace);
}
