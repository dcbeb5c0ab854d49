#include "ops/conv2d.h"

#include <algorithm>

#include "kernels/thread-pool.h"
#include "ops/im2col.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

void RunConv2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
               const float* bias, Activation act, float* y) {
  const size_t k = s.win.kh * s.win.kw * s.in.c;
  const ClampRange clamp = ClampFor(act);
  const GemmProblem p{plan.rows, s.oc, k, x, k, 1, packed_w, y, s.oc, bias, clamp.min, clamp.max, false};
  if (plan.path == Path::kGemm) {
    RunMatmul(plan, p);
    return;
  }
  // Path::kIm2colGemm: task t is segment t, expanded into its participant's slot after the
  // slot's packed-A block.
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats);
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t r0 = t * plan.rows_per_task, len = std::min(plan.rows_per_task, plan.rows - r0);
    float* pack = work.get() + slot * slot_floats;
    float* a = pack + plan.pack_floats;
    Im2colNhwc(s.in, s.win, s.oh, s.ow, x, r0, len, a);
    // Segments are fixed by the shape, so how the driver treats one never depends on threads.
    GemmProblem part = p;
    part.m = len;
    part.a = a;
    part.c = y + r0 * s.oc;
    GemmTile(*plan.kernels, part, 0, len, 0, plan.panels, plan.k_block, plan.pack_floats ? pack : nullptr);
  });
}

}  // namespace convkit
