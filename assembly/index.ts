// convkit's WebAssembly kernels. The JavaScript side (lib/backends/wasm.ts) owns the memory:
// it places inputs, packed weights, workspace and outputs in the imported memory, writes a Job
// and calls run() on every participating thread. Nothing here allocates.
import { OP_ACTIVATION, OP_CONV2D, OP_GEMM, OP_MAXPOOL2D, OP_TRANSPOSE, TASK_BITS } from './generated/kernels';
import { OP_ACTIVATION_GRAD, OP_COL2IM, OP_COLUMN_SUMS, OP_EXPAND_TRANSPOSED, OP_MAXPOOL2D_GRAD, OP_PACK } from './generated/kernels';
import { OP_AVGPOOL2D, OP_AVGPOOL2D_GRAD, OP_PAD2D } from './generated/kernels';
import { OP_CONV2D_TRANSPOSE, OP_UPSAMPLING2D, OP_UPSAMPLING2D_GRAD } from './generated/kernels';
import { OP_PERMUTE } from './generated/kernels';
import { OP_CONCAT, OP_CONCAT_GRAD, OP_MERGE, OP_MERGE_GRAD } from './generated/kernels';
import { Job } from './generated/job';
import { increment } from './kernels/atomic-increment';
import { activationTask } from './ops/activation';
import { conv2dTask } from './ops/conv2d';
import { matmulTask } from './ops/matmul';
import { maxpool2dTask } from './ops/maxpool2d';
import { transposeTask } from './ops/transpose';
import { activationGradTask } from './ops/activation-grad';
import { col2imTask } from './ops/col2im';
import { maxpool2dGradTask } from './ops/maxpool2d-grad';
import { avgpool2dGradTask } from './ops/avgpool2d-grad';
import { pad2dTask } from './ops/pad2d';
import { columnSumsTask, expandTransposedTask, packTask } from './ops/weighted-grad';
import { OP_CHANNEL_AFFINE, OP_CHANNEL_SUMS } from './generated/kernels';
import { channelAffineTask, channelSumsTask } from './ops/batchnorm';
import { OP_DEPTHWISE2D, OP_DEPTHWISE2D_GRAD_FILTER, OP_DEPTHWISE2D_GRAD_INPUT } from './generated/kernels';
import { depthwise2dTask } from './ops/depthwise2d';
import { depthwise2dGradFilterTask, depthwise2dGradInputTask } from './ops/depthwise2d-grad';
import { OP_ELEMENTWISE, OP_ELEMENTWISE_GRAD } from './generated/kernels';
import { elementwiseGradTask, elementwiseTask } from './ops/elementwise';
import { conv2dTransposeTask } from './ops/conv2d-transpose';
import { upsampling2dGradTask, upsampling2dTask } from './ops/upsampling2d';
import { permuteTask } from './ops/permute';
import { concatTask, mergeGradTask, mergeTask } from './ops/merge';
import { OP_PRELU, OP_PRELU_GRAD } from './generated/kernels';
import { preluGradTask, preluTask } from './ops/prelu';

export { packWeights, packedWeightsFloats } from './kernels/pack-weights';
export { TILE_SCRATCH_BYTES } from './kernels/gemm-driver';

/** First byte the JavaScript side may use: everything below holds the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of a Job: the JavaScript side refuses a module whose job layout is not its own. */
export function jobBytes(): i32 {
  return offsetof<Job>();
}

/** Whether this build uses SIMD kernels (reported by backendInfo). */
export function simd(): bool {
  return ASC_FEATURE_SIMD;
}

const TASK_MASK: i32 = (1 << TASK_BITS) - 1;

/**
 * The next task of generation gen, or -1 when none is left or the job has moved on to another
 * generation: a thread that wakes late never touches a job it was not woken for, and a job's
 * fields stay untouched until every task taken from it is done.
 */
function takeTask(j: Job, gen: i32): i32 {
  const ptr = changetype<usize>(j) + offsetof<Job>('next');
  for (;;) {
    const v = ASC_FEATURE_THREADS ? atomic.load<i32>(ptr) : load<i32>(ptr);
    if ((v >>> TASK_BITS) != gen || (v & TASK_MASK) >= j.tasks) return -1;
    if (ASC_FEATURE_THREADS) {
      if (atomic.cmpxchg<i32>(ptr, v, v + 1) == v) return v & TASK_MASK;
    } else {
      store<i32>(ptr, v + 1);
      return v & TASK_MASK;
    }
  }
  return -1; // not reached
}

/**
 * Runs tasks of generation gen of the job at jobPtr until none is left. Every participating
 * thread calls it; each takes a workspace slot of its own once it holds a task. The thread that
 * finishes the last task wakes the waiters on Job.done.
 */
export function run(jobPtr: usize, gen: i32): void {
  const j = changetype<Job>(jobPtr);
  let t = takeTask(j, gen);
  if (t < 0) return;
  const slot = increment(jobPtr + offsetof<Job>('slots'));
  const workspace = <usize>j.workspace + <usize>slot * j.slotBytes;
  for (; t >= 0; t = takeTask(j, gen)) {
    if (j.op == OP_CONV2D) conv2dTask(j, t, workspace);
    else if (j.op == OP_MAXPOOL2D) maxpool2dTask(j, t, workspace);
    else if (j.op == OP_GEMM) matmulTask(j, t, workspace);
    else if (j.op == OP_ACTIVATION) activationTask(j, t);
    else if (j.op == OP_TRANSPOSE) transposeTask(j, t);
    else if (j.op == OP_ACTIVATION_GRAD) activationGradTask(j, t);
    else if (j.op == OP_COLUMN_SUMS) columnSumsTask(j, workspace);
    else if (j.op == OP_PACK) packTask(j, t);
    else if (j.op == OP_EXPAND_TRANSPOSED) expandTransposedTask(j, t, workspace);
    else if (j.op == OP_COL2IM) col2imTask(j, t);
    else if (j.op == OP_MAXPOOL2D_GRAD) maxpool2dGradTask(j, t, workspace);
    else if (j.op == OP_AVGPOOL2D) maxpool2dTask(j, t, workspace, true);
    else if (j.op == OP_AVGPOOL2D_GRAD) avgpool2dGradTask(j, t);
    else if (j.op == OP_PAD2D) pad2dTask(j, t);
    else if (j.op == OP_CHANNEL_AFFINE) channelAffineTask(j, t);
    else if (j.op == OP_CHANNEL_SUMS) channelSumsTask(j, t);
    else if (j.op == OP_DEPTHWISE2D) depthwise2dTask(j, t, workspace);
    else if (j.op == OP_DEPTHWISE2D_GRAD_INPUT) depthwise2dGradInputTask(j, t, workspace);
    else if (j.op == OP_DEPTHWISE2D_GRAD_FILTER) depthwise2dGradFilterTask(j, t, workspace);
    else if (j.op == OP_ELEMENTWISE) elementwiseTask(j, t);
    else if (j.op == OP_ELEMENTWISE_GRAD) elementwiseGradTask(j, t);
    else if (j.op == OP_CONV2D_TRANSPOSE) conv2dTransposeTask(j, t, workspace);
    else if (j.op == OP_UPSAMPLING2D) upsampling2dTask(j, t);
    else if (j.op == OP_UPSAMPLING2D_GRAD) upsampling2dGradTask(j, t);
    else if (j.op == OP_PERMUTE) permuteTask(j, t);
    else if (j.op == OP_MERGE) mergeTask(j, t);
    else if (j.op == OP_CONCAT || j.op == OP_CONCAT_GRAD) concatTask(j, t, j.op == OP_CONCAT_GRAD);
    else if (j.op == OP_MERGE_GRAD) mergeGradTask(j, t);
    else if (j.op == OP_PRELU) preluTask(j, t);
    else if (j.op == OP_PRELU_GRAD) preluGradTask(j, t);
    const finished = increment(jobPtr + offsetof<Job>('done')) + 1;
    if (ASC_FEATURE_THREADS) {
      if (finished == j.tasks) atomic.notify(jobPtr + offsetof<Job>('done'));
    }
  }
}
