#include "ops/conv2d.h"

#include <algorithm>
#include <cstdint>

#include "kernels/thread-pool.h"
#include "ops/im2col.h"
#include "ops/indirection.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

void RunConv2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
               const float* bias, Activation act, float* y, IndirectionCache* indirection) {
  const size_t k = s.win.kh * s.win.kw * s.in.c;
  const ClampRange clamp = ClampFor(act);
  const GemmProblem p{plan.rows, s.oc, k, x, k, 1, packed_w, y, s.oc, bias, clamp.min, clamp.max, false};
  if (plan.path == Path::kGemm) {
    RunMatmul(plan, p);
    return;
  }
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const size_t taps = s.win.kh * s.win.kw, mr = plan.kernels->mr;
  // Task t is a run of output rows and a group of panels.
  const size_t groups = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const auto igemm = [&](size_t t, const float* const* ind, size_t a_offset, const float* zero) {
    const size_t r0 = t / groups * plan.rows_per_task, len = std::min(plan.rows_per_task, plan.rows - r0);
    const size_t p0 = t % groups * plan.panels_per_task;
    IgemmTile(*plan.kernels, len, s.oc, p0, std::min(plan.panels, p0 + plan.panels_per_task), taps,
              s.in.c, ind, a_offset, zero, packed_w, y + r0 * s.oc, s.oc, bias, clamp.min, clamp.max);
  };
  if (plan.path == Path::kIndirectGemm) {
    // The kept buffer covers every row in tiles of mr from row 0, and tasks start on whole
    // tiles (rows_per_task is a multiple of mr, or all the rows): task t's tiles are a slice.
    if (const auto kept = indirection ? indirection->Get(s, mr, x) : nullptr) {
      const size_t a_offset = reinterpret_cast<uintptr_t>(x) - reinterpret_cast<uintptr_t>(kept->base);
      ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t) {
        const size_t r0 = t / groups * plan.rows_per_task;
        igemm(t, kept->pointers.data() + r0 / mr * taps * mr, a_offset, kept->zeros.data());
      });
      return;
    }
  }
  // The indirect path's padding taps read a zero vector of c floats, after the slots.
  const bool indirect = plan.path == Path::kIndirectGemm;
  const Workspace work = NewWorkspace(plan.threads * slot_floats + (indirect ? s.in.c : 0));
  if (indirect) {
    // Each task's share of the indirection buffer in the participant's slot.
    float* zeros = work.get() + plan.threads * slot_floats;
    std::fill(zeros, zeros + s.in.c, 0.0f);
    ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
      const size_t r0 = t / groups * plan.rows_per_task, len = std::min(plan.rows_per_task, plan.rows - r0);
      const float** ind = reinterpret_cast<const float**>(work.get() + slot * slot_floats);
      IndirectionNhwc(s.in, s.win, s.oh, s.ow, x, zeros, r0, len, mr, ind);
      igemm(t, ind, 0, zeros);
    });
    return;
  }
  // Path::kIm2colGemm: task t is segment t, expanded into its participant's slot after the
  // slot's packed-A block.
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
