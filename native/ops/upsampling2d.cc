#include "ops/upsampling2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/rows.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace {

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// About this many floats of output (or of dx) per task.
constexpr size_t kFloatsPerTask = 16384;

// Each input row (b, iy) of the task: its sh output rows, the first built pixel by pixel, the
// others copies of it.
void NearestRows(const Conv2DShape& s, const float* x, float* y, size_t r0, size_t r1) {
  const size_t c = s.in.c, sh = s.win.sh, sw = s.win.sw, row = s.ow * c;
  for (size_t r = r0; r < r1; r++) {
    const float* in = x + r * s.in.w * c;
    float* out = y + r * sh * row;
    if (c == 1) {
      for (size_t ix = 0; ix < s.in.w; ix++) std::fill(out + ix * sw, out + (ix + 1) * sw, in[ix]);
    } else {
      for (size_t ix = 0; ix < s.in.w; ix++)
        for (size_t j = 0; j < sw; j++) std::memcpy(out + (ix * sw + j) * c, in + ix * c, c * sizeof(float));
    }
    for (size_t i = 1; i < sh; i++) std::memcpy(out + i * row, out, row * sizeof(float));
  }
}

void BilinearRows(const Conv2DShape& s, const RowKernels& k, const float* x, float* y, size_t r0, size_t r1) {
  const size_t c = s.in.c, w = s.in.w;
  for (size_t r = r0; r < r1; r++) {
    const size_t b = r / s.oh, oy = r % s.oh;
    const LerpTap ty = BilinearTap(oy, s.in.h, s.oh);
    const float* top = x + (b * s.in.h + ty.lo) * w * c;
    const float* bottom = x + (b * s.in.h + ty.hi) * w * c;
    float* out = y + r * s.ow * c;
    for (size_t ox = 0; ox < s.ow; ox++) {
      const LerpTap tx = BilinearTap(ox, w, s.ow);
      k.blend(top + tx.lo * c, top + tx.hi * c, bottom + tx.lo * c, bottom + tx.hi * c, tx.frac, ty.frac,
              out + ox * c, c);
    }
  }
}

// The outputs [*o0, *o1) of an axis that may read input cell i (a superset: weights may be 0).
void Readers(size_t i, size_t scale, size_t out, size_t* o0, size_t* o1) {
  *o0 = i == 0 ? 0 : (i - 1) * scale;
  *o1 = std::min(out, (i + 2) * scale);
}

// Output o's weight on input cell i along one axis.
float Weight(const LerpTap& t, size_t i) {
  return (t.lo == i ? 1.0f - t.frac : 0.0f) + (t.hi == i ? t.frac : 0.0f);
}

}  // namespace

LerpTap BilinearTap(size_t o, size_t in, size_t out) {
  // As tf.image.resize computes it, in float64: the clamped floor's fraction.
  const double src = double(in) / double(out) * (double(o) + 0.5) - 0.5;
  const double lo = std::max(0.0, std::floor(src));
  return {size_t(lo), std::min(in - 1, size_t(std::max(0.0, std::ceil(src)))), float(src - lo)};
}

Plan PlanUpSampling2D(const Conv2DShape& s, bool bilinear, const PlanTarget& t) {
  Plan p{};
  p.path = bilinear ? Path::kUpsampleBilinear : Path::kUpsampleNearest;
  p.kernels = t.kernels;
  p.rows = bilinear ? s.in.n * s.oh : s.in.n * s.in.h;
  const size_t floats_per_row = (bilinear ? 1 : s.win.sh) * s.ow * s.in.c;
  p.rows_per_task = std::max(CeilDiv(kFloatsPerTask, floats_per_row), CeilDiv(p.rows, kMaxTasks));
  p.tasks = CeilDiv(p.rows, p.rows_per_task);
  const double reads = double(s.in.n * s.oh * s.ow) * double(s.in.c) * (bilinear ? 4.0 : 1.0);
  p.threads = reads < t.parallel_reads ? 1 : std::max<size_t>(1, std::min(t.threads, p.tasks));
  return p;
}

void RunUpSampling2D(const Plan& plan, const Conv2DShape& s, const float* x, float* y) {
  const RowKernels& k = RowKernelsFor(*plan.kernels);
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    if (plan.path == Path::kUpsampleBilinear) BilinearRows(s, k, x, y, r0, r1);
    else NearestRows(s, x, y, r0, r1);
  });
}

void RunUpSampling2DBackward(const Conv2DShape& s, bool bilinear, const float* dy, float* dx, const PlanTarget& t) {
  const size_t c = s.in.c, w = s.in.w, rows = s.in.n * s.in.h;
  const RowKernels& k = RowKernelsFor(*t.kernels);
  const size_t per = std::max<size_t>(1, kFloatsPerTask / (w * c * s.win.sh * s.win.sw));
  const size_t tasks = CeilDiv(rows, per);
  const double reads = double(s.in.n * s.oh * s.ow) * double(c) * (bilinear ? 4.0 : 1.0);
  const size_t threads = reads < t.parallel_reads ? 1 : std::max<size_t>(1, std::min(t.threads, tasks));
  ParallelFor(tasks, threads, [&](size_t task, size_t) {
    for (size_t r = task * per; r < std::min(rows, (task + 1) * per); r++) {
      const size_t b = r / s.in.h, iy = r % s.in.h;
      const float* image = dy + b * s.oh * s.ow * c;
      for (size_t ix = 0; ix < w; ix++) {
        float* cell = dx + (r * w + ix) * c;
        std::fill(cell, cell + c, 0.0f);
        if (!bilinear) {
          for (size_t oy = iy * s.win.sh; oy < (iy + 1) * s.win.sh; oy++)
            for (size_t ox = ix * s.win.sw; ox < (ix + 1) * s.win.sw; ox++) k.add(cell, image + (oy * s.ow + ox) * c, c);
          continue;
        }
        size_t oy0, oy1, ox0, ox1;
        Readers(iy, s.win.sh, s.oh, &oy0, &oy1);
        Readers(ix, s.win.sw, s.ow, &ox0, &ox1);
        for (size_t oy = oy0; oy < oy1; oy++) {
          const float wy = Weight(BilinearTap(oy, s.in.h, s.oh), iy);
          if (wy == 0.0f) continue;
          for (size_t ox = ox0; ox < ox1; ox++) {
            const float wx = Weight(BilinearTap(ox, w, s.ow), ix);
            if (wx != 0.0f) k.add_scaled(cell, image + (oy * s.ow + ox) * c, wy * wx, c);
          }
        }
      }
    }
  });
}

}  // namespace convkit
