#include "ops/pad2d.h"

#include <algorithm>
#include <cstring>

#include "kernels/thread-pool.h"

namespace convkit {

void RunPad2D(const Plan& plan, const Pad2DShape& s, const float* x, float* y) {
  const size_t c = s.in.c, row = s.ow * c, kept_rows = s.oh - s.pt - s.pb;
  const size_t left = s.pl * c, span = (s.ow - s.pl - s.pr) * c, right = s.pr * c;
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t) {
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    for (size_t r = r0; r < r1; r++) {
      float* out = y + r * row;
      const size_t b = r / s.oh, oy = r % s.oh;
      if (oy < s.pt || oy >= s.pt + kept_rows) {
        std::memset(out, 0, row * sizeof(float));
        continue;
      }
      const float* in = x + ((b * s.in.h + oy - s.pt + s.ct) * s.in.w + s.cl) * c;
      std::memset(out, 0, left * sizeof(float));
      std::memcpy(out + left, in, span * sizeof(float));
      std::memset(out + left + span, 0, right * sizeof(float));
    }
  });
}

}  // namespace convkit
