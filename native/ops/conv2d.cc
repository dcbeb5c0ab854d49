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
  const GemmProblem p{plan.rows, s.oc, k, x, k, packed_w, y, s.oc, bias, clamp.min, clamp.max, false};
  if (plan.path == Path::kGemm) {
    RunMatmul(plan, p);
    return;
  }
  // Path::kIm2colGemm: task t is segment t, expanded into its participant's slot.
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const std::unique_ptr<float[]> work = NewWorkspace(plan.threads * slot_floats);
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t r0 = t * plan.rows_per_task, len = std::min(plan.rows_per_task, plan.rows - r0);
    float* a = work.get() + slot * slot_floats;
    Im2colNhwc(s.in, s.win, s.oh, s.ow, x, r0, len, a);
    GemmProblem part = p;
    part.m = len;
    part.a = a;
    part.c = y + r0 * s.oc;
    GemmTile(*plan.gemm, part, 0, len, 0, plan.panels, plan.k_block);
  });
}

}  // namespace convkit
