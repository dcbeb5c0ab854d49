#include "ops/conv2d-transpose-grad.h"

#include <algorithm>

#include "kernels/pack-weights.h"
#include "kernels/thread-pool.h"
#include "ops/activation-grad.h"
#include "ops/conv2d.h"
#include "ops/im2col.h"
#include "ops/weighted-grad.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

// C: the convolution whose input gradient the forward is, over g ([n, oh, ow, oc]) giving
// [n, h, w, c]. Its bottom and right pads reach as far as its windows do (rows past oh read as
// zeros; an output larger than the windows reach is cropped by oh / ow = h / w, never read).
Conv2DShape Convolution(const Conv2DShape& s) {
  const Window2D& w = s.win;
  const auto end_pad = [](size_t in, size_t out, size_t k, size_t st, size_t d, size_t begin) {
    const size_t reach = (out - 1) * st + (k - 1) * d + 1;
    return reach > in + begin ? reach - in - begin : 0;
  };
  Conv2DShape c{{s.in.n, s.oh, s.ow, s.oc}, w, s.in.h, s.in.w, s.in.c};
  c.win.pb = end_pad(s.oh, s.in.h, w.kh, w.sh, w.dh, w.pt);
  c.win.pr = end_pad(s.ow, s.in.w, w.kw, w.sw, w.dw, w.pl);
  // A 1x1 stride-1 unpadded convolution reads its input as the GEMM's A, rows = its output's
  // pixels: true only when the two sizes agree, so a cropping one is kept off that path.
  if (w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && (s.oh != s.in.h || s.ow != s.in.w)) c.win.pb = 1;
  return c;
}

}  // namespace

void RunConv2DTransposeBackward(const TransposedGrad& a, const Conv2DShape& s, const float* x, const PlanTarget& t) {
  const Conv2DShape conv = Convolution(s);
  const size_t m = s.in.n * s.oh * s.ow, oc = s.oc, c = s.in.c, k = s.win.kh * s.win.kw * oc;
  const Workspace g = NewWorkspace(m * oc);
  ActivationGrad(a.act, a.dy, a.y, m, oc, g.get(), t);
  if (a.db) ColumnSums(g.get(), m, oc, a.db);
  // dx = C(g): the kernel as C's HWIO (k x c), packed; the direct sum (no Winograd).
  const Workspace packed_w = NewWorkspace(PackedWeightsSize(k, c));
  PackWeights(k, c, a.kernel, c, 1, 1.0f, packed_w.get());
  RunConv2D(PlanConv2D(conv, true, t), conv, g.get(), packed_w.get(), nullptr, {kActivationLinear, {}}, a.dx, nullptr);
  // dW (k x c) = im2col_C(g)^T x, over segments of C's output rows (the input pixels) in order.
  const size_t pixels = s.in.n * s.in.h * s.in.w, threads = std::max<size_t>(1, t.threads);
  const size_t seg = std::min(pixels, std::max(kGemmMc, 4 * kSegmentFloats / std::max(k, c)));
  const Workspace cols = NewWorkspace(seg * k), packed_x = NewWorkspace(PackedWeightsSize(seg, c));
  for (size_t r0 = 0; r0 < pixels; r0 += seg) {
    const size_t rows = std::min(seg, pixels - r0), per = (rows + threads - 1) / threads;
    ParallelFor((rows + per - 1) / per, threads, [&](size_t task, size_t) {
      const size_t lo = task * per, hi = std::min(rows, lo + per);
      Im2colNhwc(conv.in, conv.win, conv.oh, conv.ow, g.get(), r0 + lo, hi - lo, cols.get() + lo * k);
    });
    PackWeights(rows, c, x + r0 * c, c, 1, 1.0f, packed_x.get());
    Product(k, c, rows, cols.get(), 1, k, packed_x.get(), a.dw, r0 > 0, t);
  }
}

}  // namespace convkit
