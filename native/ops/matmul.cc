#include "ops/matmul.h"

#include <algorithm>

#include "kernels/thread-pool.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

// y = clamp((y if accumulating) + partial 0 + partial 1 + ... + bias): the chunks of a split K
// summed in chunk order, whichever thread computed them.
void SumChunks(const Plan& plan, const GemmProblem& p, const float* partial) {
  const size_t mn = p.m * p.n;
  for (size_t i = 0; i < p.m; i++) {
    for (size_t j = 0; j < p.n; j++) {
      float v = partial[i * p.n + j];
      for (size_t s = 1; s < plan.k_splits; s++) v += partial[s * mn + i * p.n + j];
      float* y = p.c + i * p.ldc + j;
      if (p.accumulate) v = *y + v;
      if (p.bias) v += p.bias[j];
      // Written so that NaN passes through the clamp unchanged, as in the micro-kernels.
      v = v < p.minv ? p.minv : v;
      v = v > p.maxv ? p.maxv : v;
      *y = v;
    }
  }
}

}  // namespace

void MatmulTask(const Plan& plan, const GemmProblem& p, size_t task, float* pack) {
  if (plan.pack_floats == 0) pack = nullptr;
  const size_t panel_blocks = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const size_t block = task / plan.k_splits;
  const size_t m0 = block / panel_blocks * plan.rows_per_task;
  const size_t p0 = block % panel_blocks * plan.panels_per_task;
  GemmTile(*plan.kernels, p, m0, std::min(p.m, m0 + plan.rows_per_task), p0, p0 + plan.panels_per_task,
           plan.k_block, pack);
}

void RunMatmul(const Plan& plan, const GemmProblem& p) {
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = slot_floats ? NewWorkspace(plan.threads * slot_floats) : Workspace();
  if (plan.k_splits == 1) {
    ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t slot) {
      MatmulTask(plan, p, task, work.get() + slot * slot_floats);
    });
    return;
  }
  // Each chunk of K into its own m x n partial product, with no bias or clamp; then their sum.
  const Workspace partial = NewWorkspace(plan.shared_bytes / sizeof(float));
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t slot) {
    const size_t s = task % plan.k_splits;
    GemmProblem chunk = p;
    chunk.c = partial.get() + s * p.m * p.n;
    chunk.ldc = p.n;
    chunk.bias = nullptr;
    chunk.accumulate = false;
    chunk.epilogue = false;
    chunk.k_begin = s * plan.k_chunk;
    chunk.k_end = std::min(p.k, chunk.k_begin + plan.k_chunk);
    MatmulTask(plan, chunk, task, work.get() + slot * slot_floats);
  });
  SumChunks(plan, p, partial.get());
}

}  // namespace convkit
