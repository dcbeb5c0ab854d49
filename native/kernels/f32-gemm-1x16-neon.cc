// AArch64 NEON micro-kernel for a single row (a GEMV step, e.g. Dense with batch 1): 16 columns, k
// unrolled by two into two sets of four accumulators so that FMA latency does not bound it; it
// is bound by reading the packed weights.
#include <arm_neon.h>

#include "kernels/gemm.h"
#include "kernels/neon-row.h"

namespace convkit {

void f32_gemm_1x16_neon(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                        const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                        float minv, float maxv) {
  (void)mr;
  (void)a_rs;
  (void)ldc;
  PrefetchTile(c, ldc, 1, 16 * sizeof(float));
  float32x4_t e0 = vdupq_n_f32(0), e4 = vdupq_n_f32(0), e8 = vdupq_n_f32(0), eC = vdupq_n_f32(0);
  float32x4_t o0 = vdupq_n_f32(0), o4 = vdupq_n_f32(0), o8 = vdupq_n_f32(0), oC = vdupq_n_f32(0);
  size_t k = 0;
  for (; k + 2 <= kc; k += 2, w += 2 * kGemmNR) {
    FmaRow16Neon(e0, e4, e8, eC, vld1q_dup_f32(a + k * a_cs), vld1q_f32(w), vld1q_f32(w + 4),
                 vld1q_f32(w + 8), vld1q_f32(w + 12));
    FmaRow16Neon(o0, o4, o8, oC, vld1q_dup_f32(a + (k + 1) * a_cs), vld1q_f32(w + 16),
                 vld1q_f32(w + 20), vld1q_f32(w + 24), vld1q_f32(w + 28));
  }
  if (k < kc) {
    FmaRow16Neon(e0, e4, e8, eC, vld1q_dup_f32(a + k * a_cs), vld1q_f32(w), vld1q_f32(w + 4),
                 vld1q_f32(w + 8), vld1q_f32(w + 12));
  }
  StoreRow16Neon(c, vaddq_f32(e0, o0), vaddq_f32(e4, o4), vaddq_f32(e8, o8), vaddq_f32(eC, oC),
                 flags, bias, vdupq_n_f32(minv), vdupq_n_f32(maxv));
}

}  // namespace convkit
