#include "ops/conv2d.h"

#include <algorithm>

#include "kernels/cpu_features.h"
#include "kernels/gemm_driver.h"
#include "kernels/thread_pool.h"
#include "ops/im2col.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

// Floats of im2col workspace per thread (256 KiB): bounded whatever the image size.
constexpr size_t kSegmentFloats = 64 * 1024;

bool IsPointwise(const Conv2DShape& s) {
  const Window2D& w = s.win;
  return w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.pt == 0 && w.pb == 0 &&
         w.pl == 0 && w.pr == 0;
}

}  // namespace

void Conv2DNhwc(const Conv2DShape& s, const float* x, const float* packed_w, const float* bias,
                Activation act, float* y) {
  const size_t rows = s.in.n * s.oh * s.ow;
  const size_t k = s.win.kh * s.win.kw * s.in.c;
  const ClampRange clamp = ClampFor(act);
  GemmProblem p{rows, s.oc, k, x, k, packed_w, y, s.oc, bias, clamp.min, clamp.max, false};
  if (IsPointwise(s)) {
    GemmRun(p);
    return;
  }

  // Segment rows: a multiple of the micro-kernel's MR that keeps the workspace bounded.
  const size_t mr = ActiveGemm().mr;
  const size_t seg = std::max(mr, kSegmentFloats / k / mr * mr);
  const size_t segments = (rows + seg - 1) / seg;
  const size_t tasks = std::min(NumThreads(), segments);
  ParallelFor(tasks, [&](size_t t) {
    const std::unique_ptr<float[]> work = NewWorkspace(std::min(seg, rows) * k);
    for (size_t sg = segments * t / tasks; sg < segments * (t + 1) / tasks; sg++) {
      const size_t r0 = sg * seg, len = std::min(seg, rows - r0);
      Im2colNhwc(s.in, s.win, s.oh, s.ow, x, r0, len, work.get());
      GemmProblem part = p;
      part.m = len;
      part.a = work.get();
      part.c = y + r0 * s.oc;
      GemmTile(part, 0, len, 0, (s.oc + kGemmNR - 1) / kGemmNR);
    }
  });
}

}  // namespace convkit
