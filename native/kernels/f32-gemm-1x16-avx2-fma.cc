// AVX2 + FMA micro-kernel for a single row (a GEMV step, e.g. Dense with batch 1): 16 columns,
// k unrolled by two into four accumulators so that FMA latency does not bound it; it is bound
// by reading the packed weights.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/avx2-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_1x16_avx2_fma(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                            const float* w, float* c, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv) {
  (void)mr;
  (void)a_rs;
  (void)ldc;
  PrefetchTile(c, ldc, 1, 16 * sizeof(float));
  __m256 lo0 = _mm256_setzero_ps(), hi0 = _mm256_setzero_ps();
  __m256 lo1 = _mm256_setzero_ps(), hi1 = _mm256_setzero_ps();
  size_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    const __m256 a0 = _mm256_broadcast_ss(a + k * a_cs), a1 = _mm256_broadcast_ss(a + (k + 1) * a_cs);
    lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w + k * kGemmNR), lo0);
    hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w + k * kGemmNR + 8), hi0);
    lo1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w + (k + 1) * kGemmNR), lo1);
    hi1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w + (k + 1) * kGemmNR + 8), hi1);
  }
  if (k < kc) {
    const __m256 a0 = _mm256_broadcast_ss(a + k * a_cs);
    lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w + k * kGemmNR), lo0);
    hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w + k * kGemmNR + 8), hi0);
  }
  StoreRow16Avx2(c, _mm256_add_ps(lo0, lo1), _mm256_add_ps(hi0, hi1), flags, bias, _mm256_set1_ps(minv),
                 _mm256_set1_ps(maxv));
}

}  // namespace convkit
