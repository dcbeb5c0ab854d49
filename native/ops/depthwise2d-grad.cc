#include "ops/depthwise2d-grad.h"

#include <algorithm>
#include <vector>

#include "generated/kernels.h"
#include "kernels/thread-pool.h"
#include "ops/activation-grad.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

// The output index along one axis whose window's tap `k` reads input cell `i`, or -1.
long Source(size_t i, size_t k, size_t stride, size_t dilation, size_t pad, size_t out) {
  const long at = long(i) + long(pad) - long(k * dilation);
  if (at < 0 || at % long(stride) != 0) return -1;
  const long o = at / long(stride);
  return o < long(out) ? o : -1;
}

// dx for the input row (b, iy).
void InputRow(const Conv2DShape& s, const float* g, const float* w, size_t b, size_t iy, float* dx) {
  const Window2D& win = s.win;
  const size_t c = s.in.c, oc = s.oc, m = oc / c;
  std::vector<double> acc(c);
  for (size_t ix = 0; ix < s.in.w; ix++) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (size_t ky = 0; ky < win.kh; ky++) {
      const long oy = Source(iy, ky, win.sh, win.dh, win.pt, s.oh);
      if (oy < 0) continue;
      for (size_t kx = 0; kx < win.kw; kx++) {
        const long ox = Source(ix, kx, win.sw, win.dw, win.pl, s.ow);
        if (ox < 0) continue;
        const float* gp = g + ((b * s.oh + size_t(oy)) * s.ow + size_t(ox)) * oc;
        const float* wt = w + (ky * win.kw + kx) * oc;
        for (size_t o = 0; o < oc; o++) acc[o / m] += double(gp[o]) * double(wt[o]);
      }
    }
    float* out = dx + ((b * s.in.h + iy) * s.in.w + ix) * c;
    for (size_t ch = 0; ch < c; ch++) out[ch] = float(acc[ch]);
  }
}

constexpr size_t kChannelsPerTask = 16;

// dW and db for output channels [o0, o1).
void FilterBlock(const Conv2DShape& s, const float* g, const float* x, size_t o0, size_t o1, float* dw, float* db) {
  const Window2D& win = s.win;
  const size_t taps = win.kh * win.kw, c = s.in.c, oc = s.oc, m = oc / c, width = o1 - o0;
  std::vector<double> w_acc(taps * width, 0.0), b_acc(width, 0.0);
  const float* gp = g;
  for (size_t b = 0; b < s.in.n; b++)
    for (size_t oy = 0; oy < s.oh; oy++)
      for (size_t ox = 0; ox < s.ow; ox++, gp += oc) {
        for (size_t o = o0; o < o1; o++) b_acc[o - o0] += double(gp[o]);
        for (size_t ky = 0; ky < win.kh; ky++) {
          const long iy = long(oy * win.sh + ky * win.dh) - long(win.pt);
          if (iy < 0 || iy >= long(s.in.h)) continue;
          for (size_t kx = 0; kx < win.kw; kx++) {
            const long ix = long(ox * win.sw + kx * win.dw) - long(win.pl);
            if (ix < 0 || ix >= long(s.in.w)) continue;
            const float* xp = x + ((b * s.in.h + size_t(iy)) * s.in.w + size_t(ix)) * c;
            double* acc = w_acc.data() + (ky * win.kw + kx) * width;
            for (size_t o = o0; o < o1; o++) acc[o - o0] += double(xp[o / m]) * double(gp[o]);
          }
        }
      }
  for (size_t t = 0; t < taps; t++)
    for (size_t o = o0; o < o1; o++) dw[t * oc + o] = float(w_acc[t * width + o - o0]);
  if (db)
    for (size_t o = o0; o < o1; o++) db[o] = float(b_acc[o - o0]);
}

}  // namespace

void RunDepthwise2DBackward(const WeightedGrad& a, const Conv2DShape& s, const float* x, const PlanTarget& t) {
  const Workspace g = NewWorkspace(a.m * a.n);
  ActivationGrad(a.act, a.dy, a.y, a.m, a.n, g.get(), t);
  const size_t threads = std::max<size_t>(1, t.threads), rows = s.in.n * s.in.h;
  ParallelFor(rows, threads, [&](size_t r, size_t) { InputRow(s, g.get(), a.kernel, r / s.in.h, r % s.in.h, a.dx); });
  const size_t blocks = (s.oc + kChannelsPerTask - 1) / kChannelsPerTask;
  ParallelFor(blocks, threads, [&](size_t task, size_t) {
    const size_t o0 = task * kChannelsPerTask;
    FilterBlock(s, g.get(), x, o0, std::min(s.oc, o0 + kChannelsPerTask), a.dw, a.db);
  });
}

}  // namespace convkit
