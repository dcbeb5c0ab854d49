// AVX2 + FMA micro-kernel: 6 rows x 16 columns held in 12 ymm accumulators.
// Compiled for AVX2 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/avx2-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_6x16_avx2_fma(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                            float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                            float maxv) {
  constexpr size_t MR = 6;
  // Rows past mr alias the last real row: they compute the same values and are never stored.
  const float* ar[MR];
  for (size_t i = 0; i < MR; i++) ar[i] = a + (i < mr ? i : mr - 1) * lda;

  __m256 lo[MR], hi[MR];
  for (size_t i = 0; i < MR; i++) lo[i] = hi[i] = _mm256_setzero_ps();
  for (size_t k = 0; k < kc; k++) {
    const __m256 w0 = _mm256_loadu_ps(w + k * kGemmNR);
    const __m256 w1 = _mm256_loadu_ps(w + k * kGemmNR + 8);
    for (size_t i = 0; i < MR; i++) {
      const __m256 ai = _mm256_broadcast_ss(ar[i] + k);
      lo[i] = _mm256_fmadd_ps(ai, w0, lo[i]);
      hi[i] = _mm256_fmadd_ps(ai, w1, hi[i]);
    }
  }

  const __m256 vmin = _mm256_set1_ps(minv), vmax = _mm256_set1_ps(maxv);
  for (size_t i = 0; i < mr; i++) StoreRow16Avx2(c + i * ldc, lo[i], hi[i], flags, bias, vmin, vmax);
}

}  // namespace convkit
