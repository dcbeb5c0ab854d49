#include "ops/conv2d-transpose.h"

#include <algorithm>
#include <limits>

#include "kernels/gemm-driver.h"
#include "kernels/rows.h"
#include "kernels/thread-pool.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// The input rows [*iy0, *iy1) whose taps land in output rows [oy0, oy1).
void InputRows(const Conv2DShape& s, size_t oy0, size_t oy1, size_t* iy0, size_t* iy1) {
  const long reach = long(oy0) + long(s.win.pt) - long((s.win.kh - 1) * s.win.dh);
  *iy0 = reach <= 0 ? 0 : CeilDiv(size_t(reach), s.win.sh);
  *iy1 = std::min(s.in.h, (oy1 - 1 + s.win.pt) / s.win.sh + 1);
}

// Adds the columns of input pixels [p0, p0 + len) of one image (cols: len rows of kh*kw*oc)
// into the output rows [oy0, oy1) of that image's output `out`, pixel by pixel in order.
void Scatter(const Conv2DShape& s, const RowKernels& rows, const float* cols, size_t p0, size_t len, size_t oy0,
             size_t oy1, float* out) {
  const Window2D& w = s.win;
  const size_t oc = s.oc, k = w.kh * w.kw * oc;
  for (size_t r = 0; r < len; r++, cols += k) {
    const size_t iy = (p0 + r) / s.in.w, ix = (p0 + r) % s.in.w;
    for (size_t ky = 0; ky < w.kh; ky++) {
      const long oy = long(iy * w.sh + ky * w.dh) - long(w.pt);
      if (oy < long(oy0) || oy >= long(oy1)) continue;
      for (size_t kx = 0; kx < w.kw; kx++) {
        const long ox = long(ix * w.sw + kx * w.dw) - long(w.pl);
        if (ox < 0 || ox >= long(s.ow)) continue;
        rows.add(out + (size_t(oy) * s.ow + size_t(ox)) * oc, cols + (ky * w.kw + kx) * oc, oc);
      }
    }
  }
}

}  // namespace

size_t TransposedChunkPixels(size_t columns, size_t mr) {
  return std::max(mr, kSegmentFloats / columns / mr * mr);
}

Plan PlanConv2DTranspose(const Conv2DShape& s, const PlanTarget& t) {
  const size_t k = s.win.kh * s.win.kw * s.oc;
  const double macs = double(s.in.n * s.in.h * s.in.w) * double(s.in.c) * double(k);
  const size_t threads = macs < t.parallel_macs ? 1 : t.threads;
  Plan p{};
  p.path = Path::kTransposedGemm;
  p.kernels = t.kernels;
  p.rows = s.in.n * s.oh;
  p.panels = p.panels_per_task = CeilDiv(k, kGemmNR);
  p.k_block = std::min(s.in.c, kGemmKc);
  p.k_splits = 1;
  p.k_chunk = s.in.c;
  // The bits never depend on the bands. Where the kernel is no taller than the stride, bands
  // share no input row: four per thread, so that a thread that is held up delays less; else a
  // band boundary costs the input rows both sides read, and the images are cut only as far as
  // the threads need.
  const bool disjoint = (s.win.kh - 1) * s.win.dh + 1 <= s.win.sh;
  const size_t bands = threads == 1 ? 1 : std::min(s.oh, CeilDiv(threads * (disjoint ? 4 : 1), s.in.n));
  p.rows_per_task = CeilDiv(s.oh, bands);
  p.tasks = s.in.n * CeilDiv(s.oh, p.rows_per_task);
  p.threads = macs < t.parallel_macs ? 1 : std::max<size_t>(1, std::min(t.threads, p.tasks));
  const size_t slot = t.tile_bytes + TransposedChunkPixels(k, t.mr) * k * sizeof(float);
  p.slot_bytes = CeilDiv(slot, kCacheLine) * kCacheLine;
  return p;
}

void RunConv2DTranspose(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_wt,
                        const float* bias, const OutputActivation& act, float* y) {
  const size_t oc = s.oc, k = s.win.kh * s.win.kw * oc, c = s.in.c;
  const size_t chunk = TransposedChunkPixels(k, plan.kernels->mr), bands = CeilDiv(s.oh, plan.rows_per_task);
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats);
  const RowKernels& rows = RowKernelsFor(*plan.kernels);
  const ClampRange clamp = ClampFor(act.act);
  const float inf = std::numeric_limits<float>::infinity();
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t slot) {
    const size_t b = task / bands, oy0 = task % bands * plan.rows_per_task;
    const size_t oy1 = std::min(s.oh, oy0 + plan.rows_per_task);
    float* out = y + b * s.oh * s.ow * oc;
    float* band = out + oy0 * s.ow * oc;
    const size_t cells = (oy1 - oy0) * s.ow;
    for (size_t i = 0; i < cells; i++) {
      if (bias) std::copy(bias, bias + oc, band + i * oc);
      else std::fill(band + i * oc, band + (i + 1) * oc, 0.0f);
    }
    size_t iy0, iy1;
    InputRows(s, oy0, oy1, &iy0, &iy1);
    float* cols = work.get() + slot * slot_floats;
    const float* image = x + b * s.in.h * s.in.w * c;
    for (size_t p0 = iy0 * s.in.w; p0 < iy1 * s.in.w; p0 += chunk) {
      const size_t len = std::min(chunk, iy1 * s.in.w - p0);
      const GemmProblem g{len, k, c, image + p0 * c, c, 1, packed_wt, cols, k, nullptr, -inf, inf, false};
      GemmTile(*plan.kernels, g, 0, len, 0, plan.panels, plan.k_block, nullptr);
      Scatter(s, rows, cols, p0, len, oy0, oy1, out);
    }
    if (clamp.min > -inf)
      for (size_t i = 0; i < cells * oc; i++) band[i] = std::max(band[i], clamp.min);
  });
  ApplyOutputActivation(act, y, oc);
}

}  // namespace convkit
