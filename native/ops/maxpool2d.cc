#include "ops/maxpool2d.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/maxpool.h"
#include "kernels/thread-pool.h"

namespace convkit {

void RunMaxPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow,
                  const float* x, float* y) {
  const size_t slot_taps = plan.slot_bytes / sizeof(const float*), window = win.kh * win.kw;
  const std::unique_ptr<const float*[]> work(new const float*[plan.threads * slot_taps]);
  const long h = long(in.h), w = long(in.w), span_y = long((win.kh - 1) * win.dh),
             span_x = long((win.kw - 1) * win.dw);
  // Each tap's offset from the window's top-left cell: a window wholly inside the image (all but
  // the padded edges) takes its taps from these, with no bounds test per tap.
  std::vector<long> offsets(window);
  for (size_t ky = 0; ky < win.kh; ky++)
    for (size_t kx = 0; kx < win.kw; kx++)
      offsets[ky * win.kw + kx] = (long(ky * win.dh) * w + long(kx * win.dw)) * long(in.c);
  // Each task in chunks of kPoolPixelsPerCall pixels, one kernel call per chunk: every window
  // lists `window` taps, a window cut by the padding its first real tap again for each missing
  // one (the max of a value with itself is that value).
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const float** list = work.get() + slot * slot_taps;
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    // The output pixel (image b, oy, ox) advances with r: divisions once per task, not three
    // per pixel (they cost as much as a small window's kernel).
    size_t b = r0 / (oh * ow), oy = r0 / ow % oh, ox = r0 % ow;
    for (size_t c0 = r0; c0 < r1; c0 += kPoolPixelsPerCall) {
      const size_t c1 = std::min(r1, c0 + kPoolPixelsPerCall);
      const float** taps = list;
      for (size_t r = c0; r < c1; r++, taps += window, ox = ox + 1 == ow ? 0 : ox + 1) {
        if (ox == 0 && r > r0 && ++oy == oh) oy = 0, b++;
        const float* image = x + b * in.h * in.w * in.c;
        const long y0 = long(oy * win.sh) - long(win.pt), x0 = long(ox * win.sw) - long(win.pl);
        if (y0 >= 0 && y0 + span_y < h && x0 >= 0 && x0 + span_x < w) {
          const float* corner = image + (y0 * w + x0) * long(in.c);
          for (size_t k = 0; k < window; k++) taps[k] = corner + offsets[k];
          continue;
        }
        size_t count = 0;
        for (size_t ky = 0; ky < win.kh; ky++) {
          const long iy = y0 + long(ky * win.dh);
          if (iy < 0 || iy >= h) continue;
          for (size_t kx = 0; kx < win.kw; kx++) {
            const long ix = x0 + long(kx * win.dw);
            if (ix < 0 || ix >= w) continue;
            taps[count++] = image + (iy * w + ix) * long(in.c);
          }
        }
        // Every window holds a real cell (checked at the boundary), so taps[0] exists.
        for (; count < window; count++) taps[count] = taps[0];
      }
      plan.kernels->maxpool(c1 - c0, window, list, in.c, y + c0 * in.c);
    }
  });
}

}  // namespace convkit
