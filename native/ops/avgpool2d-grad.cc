#include "ops/avgpool2d-grad.h"

#include <algorithm>
#include <vector>

#include "kernels/thread-pool.h"

namespace convkit {
namespace {

// Real cells of each window along one axis: the window's cells that fall inside [0, in).
std::vector<float> RealCounts(size_t in, size_t k, size_t s, size_t d, size_t pad, size_t out) {
  std::vector<float> counts(out);
  for (size_t o = 0; o < out; o++) {
    size_t n = 0;
    for (size_t t = 0; t < k; t++) {
      const long i = long(o * s + t * d) - long(pad);
      n += i >= 0 && i < long(in);
    }
    counts[o] = float(n);
  }
  return counts;
}

// The output index o whose window's tap t reads input cell i, or -1.
inline long WindowOf(size_t i, size_t t, size_t s, size_t d, size_t pad, size_t out) {
  const long at = long(i + pad) - long(t * d);
  if (at < 0 || at % long(s) != 0 || at / long(s) >= long(out)) return -1;
  return at / long(s);
}

}  // namespace

void RunAvgPool2DBackward(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, bool count_pad,
                          const float* dy, float* dx, const PlanTarget& t) {
  const size_t c = in.c, rows = in.n * in.h;
  const std::vector<float> ry = RealCounts(in.h, win.kh, win.sh, win.dh, win.pt, oh);
  const std::vector<float> rx = RealCounts(in.w, win.kw, win.sw, win.dw, win.pl, ow);
  const float whole = float(win.kh * win.kw);
  const double reads = double(in.n * in.h * in.w) * double(win.kh * win.kw) * double(c);
  const size_t threads = reads < t.parallel_reads ? 1 : std::min(t.threads, rows);
  ParallelFor(rows, threads, [&](size_t row, size_t) {
    const size_t b = row / in.h, iy = row % in.h;
    const float* g = dy + b * oh * ow * c;
    float* d = dx + row * in.w * c;
    std::fill(d, d + in.w * c, 0.0f);
    for (size_t ky = 0; ky < win.kh; ky++) {
      const long oy = WindowOf(iy, ky, win.sh, win.dh, win.pt, oh);
      if (oy < 0) continue;
      for (size_t ix = 0; ix < in.w; ix++) {
        float* di = d + ix * c;
        for (size_t kx = 0; kx < win.kw; kx++) {
          const long ox = WindowOf(ix, kx, win.sw, win.dw, win.pl, ow);
          if (ox < 0) continue;
          const float divisor = count_pad ? whole : ry[size_t(oy)] * rx[size_t(ox)];
          const float* go = g + (size_t(oy) * ow + size_t(ox)) * c;
          for (size_t ch = 0; ch < c; ch++) di[ch] += go[ch] / divisor;
        }
      }
    }
  });
}

}  // namespace convkit
