#include "ops/depthwise2d.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/dwconv.h"
#include "kernels/thread-pool.h"

namespace convkit {

void RunDepthwise2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
                    const float* bias, const OutputActivation& act, float* y) {
  const Nhwc& in = s.in;
  const Window2D& win = s.win;
  const size_t slot_taps = plan.slot_bytes / sizeof(const float*), window = win.kh * win.kw;
  const std::unique_ptr<const float*[]> work(new const float*[plan.threads * slot_taps]);
  const std::vector<float> zeros(in.c, 0.0f);
  const WindowTaps geo(in, win);
  const ClampRange clamp = ClampFor(act.act);
  const size_t m = s.oc / in.c;
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const float** list = work.get() + slot * slot_taps;
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    OutputPixel px(r0, s.oh, s.ow);
    for (size_t c0 = r0; c0 < r1; c0 += kPoolPixelsPerCall) {
      const size_t c1 = std::min(r1, c0 + kPoolPixelsPerCall);
      const float** taps = list;
      for (size_t r = c0; r < c1; r++, taps += window, px.Next(s.oh, s.ow)) {
        geo.List(x + px.b * in.h * in.w * in.c, geo.Top(px.oy), geo.Left(px.ox), zeros.data(), taps);
      }
      plan.kernels->dwconv(c1 - c0, window, list, s.oc, m, packed_w, bias, clamp.min, clamp.max, y + c0 * s.oc);
    }
  });
  ApplyOutputActivation(act, y, s.oc);
}

}  // namespace convkit
