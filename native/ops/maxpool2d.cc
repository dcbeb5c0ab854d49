#include "ops/maxpool2d.h"

#include <algorithm>
#include <memory>

#include "kernels/maxpool.h"
#include "kernels/thread-pool.h"

namespace convkit {

void RunMaxPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow,
                  const float* x, float* y) {
  const size_t slot_taps = plan.slot_bytes / sizeof(const float*);
  const std::unique_ptr<const float*[]> work(new const float*[plan.threads * slot_taps]);
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const float** taps = work.get() + slot * slot_taps;
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    // The output pixel (image b, oy, ox) advances with r: divisions once per task, not three
    // per pixel (they cost as much as a small window's kernel).
    size_t b = r0 / (oh * ow), oy = r0 / ow % oh, ox = r0 % ow;
    for (size_t r = r0; r < r1; r++, ox = ox + 1 == ow ? 0 : ox + 1) {
      if (ox == 0 && r > r0 && ++oy == oh) oy = 0, b++;
      const float* image = x + b * in.h * in.w * in.c;
      size_t count = 0;
      for (size_t ky = 0; ky < win.kh; ky++) {
        const long iy = long(oy * win.sh) - long(win.pt) + long(ky * win.dh);
        if (iy < 0 || iy >= long(in.h)) continue;
        for (size_t kx = 0; kx < win.kw; kx++) {
          const long ix = long(ox * win.sw) - long(win.pl) + long(kx * win.dw);
          if (ix < 0 || ix >= long(in.w)) continue;
          taps[count++] = image + (size_t(iy) * in.w + size_t(ix)) * in.c;
        }
      }
      plan.kernels->maxpool(count, taps, in.c, y + r * in.c);
    }
  });
}

}  // namespace convkit
