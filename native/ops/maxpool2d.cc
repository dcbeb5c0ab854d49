#include "ops/maxpool2d.h"

#include <algorithm>
#include <vector>

#include "kernels/maxpool.h"
#include "kernels/thread_pool.h"

namespace convkit {
namespace {

// Below this many input reads a second thread costs more than it saves.
constexpr double kParallelReads = 1 << 16;

}  // namespace

void MaxPool2DNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                   float* y) {
  const size_t rows = in.n * oh * ow;  // output pixels
  const double reads = double(rows) * double(win.kh * win.kw) * double(in.c);
  const size_t tasks = reads < kParallelReads ? 1 : std::min(NumThreads(), rows);
  ParallelFor(tasks, [&](size_t t) {
    std::vector<const float*> taps(win.kh * win.kw);
    for (size_t r = rows * t / tasks; r < rows * (t + 1) / tasks; r++) {
      const size_t b = r / (oh * ow), oy = r / ow % oh, ox = r % ow;
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
      f32_maxpool_nhwc_scalar(count, taps.data(), in.c, y + r * in.c);
    }
  });
}

}  // namespace convkit
