// The 6x16 NEON tile shared by the GEMM and indirect-GEMM kernels: 24 accumulators as named
// members (one object per call, always inlined, so GCC keeps each in its own q register: 24 of
// the 32, plus 4 for a step of W and 1-2 for A).
#pragma once
#include <arm_neon.h>

#include "kernels/neon-row.h"

namespace convkit {

struct Tile6x16Neon {
  float32x4_t c0x0 = vdupq_n_f32(0), c0x4 = vdupq_n_f32(0), c0x8 = vdupq_n_f32(0), c0xC = vdupq_n_f32(0);
  float32x4_t c1x0 = vdupq_n_f32(0), c1x4 = vdupq_n_f32(0), c1x8 = vdupq_n_f32(0), c1xC = vdupq_n_f32(0);
  float32x4_t c2x0 = vdupq_n_f32(0), c2x4 = vdupq_n_f32(0), c2x8 = vdupq_n_f32(0), c2xC = vdupq_n_f32(0);
  float32x4_t c3x0 = vdupq_n_f32(0), c3x4 = vdupq_n_f32(0), c3x8 = vdupq_n_f32(0), c3xC = vdupq_n_f32(0);
  float32x4_t c4x0 = vdupq_n_f32(0), c4x4 = vdupq_n_f32(0), c4x8 = vdupq_n_f32(0), c4xC = vdupq_n_f32(0);
  float32x4_t c5x0 = vdupq_n_f32(0), c5x4 = vdupq_n_f32(0), c5x8 = vdupq_n_f32(0), c5xC = vdupq_n_f32(0);

  // One step of K with row i's value of A at r[i]: one load per row, its FMAs kept after it by
  // RowBarrier (see neon-row.h).
  __attribute__((always_inline)) inline void StepRows(const float* r0, const float* r1, const float* r2,
                                                      const float* r3, const float* r4, const float* r5,
                                                      const float* w) {
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
    FmaRow16Neon(c0x0, c0x4, c0x8, c0xC, vld1q_dup_f32(r0), w0, w1, w2, w3);
    RowBarrier();
    FmaRow16Neon(c1x0, c1x4, c1x8, c1xC, vld1q_dup_f32(r1), w0, w1, w2, w3);
    RowBarrier();
    FmaRow16Neon(c2x0, c2x4, c2x8, c2xC, vld1q_dup_f32(r2), w0, w1, w2, w3);
    RowBarrier();
    FmaRow16Neon(c3x0, c3x4, c3x8, c3xC, vld1q_dup_f32(r3), w0, w1, w2, w3);
    RowBarrier();
    FmaRow16Neon(c4x0, c4x4, c4x8, c4xC, vld1q_dup_f32(r4), w0, w1, w2, w3);
    RowBarrier();
    FmaRow16Neon(c5x0, c5x4, c5x8, c5xC, vld1q_dup_f32(r5), w0, w1, w2, w3);
  }

  // One step of K with the 6 rows' values of A adjacent at a (a packed block): two loads, and
  // each FMA takes its row from a lane (FMLA by element).
  __attribute__((always_inline)) inline void StepColumn(const float* a, const float* w) {
    const float32x4_t va0123 = vld1q_f32(a);
    const float32x2_t va45 = vld1_f32(a + 4);
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
    FmaRow16Neon(c0x0, c0x4, c0x8, c0xC, vdupq_laneq_f32(va0123, 0), w0, w1, w2, w3);
    FmaRow16Neon(c1x0, c1x4, c1x8, c1xC, vdupq_laneq_f32(va0123, 1), w0, w1, w2, w3);
    FmaRow16Neon(c2x0, c2x4, c2x8, c2xC, vdupq_laneq_f32(va0123, 2), w0, w1, w2, w3);
    FmaRow16Neon(c3x0, c3x4, c3x8, c3xC, vdupq_laneq_f32(va0123, 3), w0, w1, w2, w3);
    FmaRow16Neon(c4x0, c4x4, c4x8, c4xC, vdupq_lane_f32(va45, 0), w0, w1, w2, w3);
    FmaRow16Neon(c5x0, c5x4, c5x8, c5xC, vdupq_lane_f32(va45, 1), w0, w1, w2, w3);
  }

  // Rows [0, mr) to c (row stride ldc), with StoreRow16Neon's flags.
  __attribute__((always_inline)) inline void Store(size_t mr, float* c, size_t ldc, unsigned flags,
                                                   const float* bias, float minv, float maxv) const {
    const float32x4_t vmin = vdupq_n_f32(minv), vmax = vdupq_n_f32(maxv);
    StoreRow16Neon(c, c0x0, c0x4, c0x8, c0xC, flags, bias, vmin, vmax);
    if (mr > 1) StoreRow16Neon(c + ldc, c1x0, c1x4, c1x8, c1xC, flags, bias, vmin, vmax);
    if (mr > 2) StoreRow16Neon(c + 2 * ldc, c2x0, c2x4, c2x8, c2xC, flags, bias, vmin, vmax);
    if (mr > 3) StoreRow16Neon(c + 3 * ldc, c3x0, c3x4, c3x8, c3xC, flags, bias, vmin, vmax);
    if (mr > 4) StoreRow16Neon(c + 4 * ldc, c4x0, c4x4, c4x8, c4xC, flags, bias, vmin, vmax);
    if (mr > 5) StoreRow16Neon(c + 5 * ldc, c5x0, c5x4, c5x8, c5xC, flags, bias, vmin, vmax);
  }
};

}  // namespace convkit
