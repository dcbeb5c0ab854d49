#include "ops/maxpool2d.h"

#include <algorithm>
#include <memory>

#include "kernels/maxpool.h"
#include "kernels/thread-pool.h"

namespace convkit {

void RunMaxPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow,
                  const float* x, float* y) {
  const size_t slot_taps = plan.slot_bytes / sizeof(const float*), window = win.kh * win.kw;
  const std::unique_ptr<const float*[]> work(new const float*[plan.threads * slot_taps]);
  const WindowTaps geo(in, win);
  // Each task in chunks of kPoolPixelsPerCall pixels, one kernel call per chunk: every window
  // lists `window` taps, a window cut by the padding its first real tap again for each missing
  // one (the max of a value with itself is that value).
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const float** list = work.get() + slot * slot_taps;
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    OutputPixel px(r0, oh, ow);
    for (size_t c0 = r0; c0 < r1; c0 += kPoolPixelsPerCall) {
      const size_t c1 = std::min(r1, c0 + kPoolPixelsPerCall);
      const float** taps = list;
      for (size_t r = c0; r < c1; r++, taps += window, px.Next(oh, ow)) {
        const float* image = x + px.b * in.h * in.w * in.c;
        size_t count = geo.List(image, geo.Top(px.oy), geo.Left(px.ox), nullptr, taps);
        // Every window holds a real cell (checked at the boundary), so taps[0] exists.
        for (; count < window; count++) taps[count] = taps[0];
      }
      plan.kernels->maxpool(c1 - c0, window, list, in.c, y + c0 * in.c);
    }
  });
}

}  // namespace convkit
