#include "ops/merge.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/thread-pool.h"
#include "kernels/vbinary.h"

namespace convkit {

bool BroadcastMerge(const size_t a[4], const size_t b[4], MergeShape* s) {
  size_t groups = 0, size[4], sa[4], sb[4];
  int last = -1;  // the last group's spread pattern: bit 0 a spreads, bit 1 b spreads
  for (int k = 0; k < 4; k++) {
    if (a[k] != b[k] && a[k] != 1 && b[k] != 1) return false;
    s->a[k] = a[k];
    s->b[k] = b[k];
    s->y[k] = std::max(a[k], b[k]);
    if (s->y[k] == 1) continue;
    const int pattern = (a[k] == 1 ? 1 : 0) | (b[k] == 1 ? 2 : 0);
    size_t after_a = 1, after_b = 1;  // the input's floats per step along axis k
    for (int q = k + 1; q < 4; q++) after_a *= a[q], after_b *= b[q];
    if (pattern == last) {
      size[groups - 1] *= s->y[k];
      sa[groups - 1] = pattern & 1 ? 0 : after_a;
      sb[groups - 1] = pattern & 2 ? 0 : after_b;
      continue;
    }
    size[groups] = s->y[k];
    sa[groups] = pattern & 1 ? 0 : after_a;
    sb[groups] = pattern & 2 ? 0 : after_b;
    groups++;
    last = pattern;
  }
  // The last group is the row; earlier ones the rows, padded in front with single rows.
  for (int k = 0; k < 3; k++) s->rows[k] = 1, s->as[k] = s->bs[k] = 0;
  s->c = 1;
  s->as[3] = s->bs[3] = 1;
  if (groups == 0) return true;
  s->c = size[groups - 1];
  s->as[3] = sa[groups - 1] ? 1 : 0;
  s->bs[3] = sb[groups - 1] ? 1 : 0;
  for (size_t g = 0; g + 1 < groups; g++) {
    const size_t k = 3 - (groups - 1) + g;
    s->rows[k] = size[g];
    s->as[k] = sa[g];
    s->bs[k] = sb[g];
  }
  return true;
}

void RunMerge(const Plan& plan, const MergeShape& s, const float* a, const float* b, float* y) {
  const VBinaryFn kernel = VBinaryFor(plan.kernels);
  const size_t seg = plan.k_chunk, segs = plan.panels;
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t) {
    const size_t u0 = t * plan.rows_per_task, u1 = std::min(plan.rows, u0 + plan.rows_per_task);
    for (size_t u = u0; u < u1; u++) {
      const size_t row = u / segs, c0 = (u % segs) * seg, n = std::min(s.c - c0, seg);
      const size_t i2 = row % s.rows[2], i1 = row / s.rows[2] % s.rows[1], i0 = row / s.rows[2] / s.rows[1];
      const float* ar = a + i0 * s.as[0] + i1 * s.as[1] + i2 * s.as[2] + c0 * s.as[3];
      const float* br = b + i0 * s.bs[0] + i1 * s.bs[1] + i2 * s.bs[2] + c0 * s.bs[3];
      kernel(s.mode, n, ar, s.as[3], br, s.bs[3], s.divisor, y + row * s.c + c0);
    }
  });
}

namespace {

// Each unit's part of y's rows [a | b] copied out of (split) or into (concat) a and b.
template <bool kSplit>
void CopyRows(const Plan& plan, size_t ca, size_t cb, float* a, float* b, float* y) {
  const size_t seg = plan.k_chunk, segs = plan.panels, c = ca + cb;
  const auto copy = [](float* to_y, float* to_x, size_t n) {
    if (kSplit) std::memcpy(to_x, to_y, n * sizeof(float));
    else std::memcpy(to_y, to_x, n * sizeof(float));
  };
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t) {
    const size_t u0 = t * plan.rows_per_task, u1 = std::min(plan.rows, u0 + plan.rows_per_task);
    for (size_t u = u0; u < u1; u++) {
      const size_t row = u / segs, c0 = (u % segs) * seg, c1 = std::min(c, c0 + seg);
      float* yr = y + row * c;
      if (c0 < ca) copy(yr + c0, a + row * ca + c0, std::min(c1, ca) - c0);
      if (c1 > ca) {
        const size_t from = std::max(c0, ca);
        copy(yr + from, b + row * cb + (from - ca), c1 - from);
      }
    }
  });
}

}  // namespace

void RunConcat(const Plan& plan, size_t ca, size_t cb, const float* a, const float* b, float* y) {
  // Only y is written: the inputs are read through the same copy with its direction fixed.
  CopyRows<false>(plan, ca, cb, const_cast<float*>(a), const_cast<float*>(b), y);
}

void RunConcatGrad(const Plan& plan, size_t ca, size_t cb, const float* dy, float* da, float* db) {
  CopyRows<true>(plan, ca, cb, da, db, const_cast<float*>(dy));
}

VBinaryFn VBinaryFor(const IsaKernels* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  const std::string name = isa ? isa->isa : "scalar";
  if (name == "avx512f") return f32_vbinary_avx512f;
  if (name == "avx2-fma") return f32_vbinary_avx2;
#else
  (void)isa;
#endif
  return f32_vbinary_scalar;
}

}  // namespace convkit
