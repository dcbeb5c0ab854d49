#include "ops/matmul.h"

#include <algorithm>

#include "kernels/thread-pool.h"
#include "ops/workspace.h"

namespace convkit {

void MatmulTask(const Plan& plan, const GemmProblem& p, size_t task, float* pack) {
  if (plan.pack_floats == 0) pack = nullptr;
  const size_t panel_blocks = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const size_t m0 = task / panel_blocks * plan.rows_per_task;
  const size_t p0 = task % panel_blocks * plan.panels_per_task;
  GemmTile(*plan.kernels, p, m0, std::min(p.m, m0 + plan.rows_per_task), p0, p0 + plan.panels_per_task,
           plan.k_block, pack);
}

void RunMatmul(const Plan& plan, const GemmProblem& p) {
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = slot_floats ? NewWorkspace(plan.threads * slot_floats) : Workspace();
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t slot) {
    MatmulTask(plan, p, task, work.get() + slot * slot_floats);
  });
}

}  // namespace convkit
