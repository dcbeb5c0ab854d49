#include "ops/maxpool2d-grad.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "kernels/thread-pool.h"

namespace convkit {

void RunMaxPool2DBackward(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                          const float* dy, float* dx, const PlanTarget& t) {
  const size_t c = in.c, image = in.h * in.w * c, pixels = oh * ow;
  std::memset(dx, 0, in.n * image * sizeof(float));
  const double reads = double(in.n * pixels) * double(win.kh * win.kw) * double(c);
  const size_t threads = reads < t.parallel_reads ? 1 : std::min(t.threads, in.n);
  // Per participant: each channel's running max and the offset (in its image) of that max.
  const std::unique_ptr<float[]> maxes(new float[threads * c]);
  const std::unique_ptr<size_t[]> offsets(new size_t[threads * c]);
  const WindowTaps geo(in, win);
  ParallelFor(in.n, threads, [&](size_t b, size_t slot) {
    float* best = maxes.get() + slot * c;
    size_t* at = offsets.get() + slot * c;
    const float* xi = x + b * image;
    float* dxi = dx + b * image;
    const float* g = dy + b * pixels * c;
    for (size_t oy = 0; oy < oh; oy++)
      for (size_t ox = 0; ox < ow; ox++, g += c) {
        const long y0 = geo.Top(oy), x0 = geo.Left(ox);
        bool first = true;
        for (size_t ky = 0; ky < win.kh; ky++)
          for (size_t kx = 0; kx < win.kw; kx++) {
            const long iy = y0 + long(ky * win.dh), ix = x0 + long(kx * win.dw);
            if (!geo.Real(iy, ix)) continue;
            const size_t cell = (size_t(iy) * in.w + size_t(ix)) * c;
            const float* v = xi + cell;
            if (first) {
              for (size_t ci = 0; ci < c; ci++) best[ci] = v[ci], at[ci] = cell + ci;
              first = false;
              continue;
            }
            // A later tap wins when strictly greater, or when it is the first NaN (a NaN max
            // is never replaced).
            for (size_t ci = 0; ci < c; ci++) {
              const float m = best[ci], vi = v[ci];
              if (m == m && (vi > m || vi != vi)) best[ci] = vi, at[ci] = cell + ci;
            }
          }
        for (size_t ci = 0; ci < c; ci++) dxi[at[ci]] += g[ci];
      }
  });
}

}  // namespace convkit
