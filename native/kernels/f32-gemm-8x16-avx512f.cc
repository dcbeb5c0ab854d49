// AVX-512F micro-kernel: 8 rows x 16 columns, one zmm accumulator per row.
// Compiled for AVX-512 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 reductions: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_8x16_avx512f(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                           float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                           float maxv) {
  constexpr size_t MR = 8;
  // Rows past mr alias the last real row: they compute the same values and are never stored.
  const float* ar[MR];
  for (size_t i = 0; i < MR; i++) ar[i] = a + (i < mr ? i : mr - 1) * lda;

  __m512 acc[MR];
  for (size_t i = 0; i < MR; i++) acc[i] = _mm512_setzero_ps();
  for (size_t k = 0; k < kc; k++) {
    const __m512 wk = _mm512_loadu_ps(w + k * kGemmNR);
    for (size_t i = 0; i < MR; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(ar[i][k]), wk, acc[i]);
  }

  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  for (size_t i = 0; i < mr; i++) {
    float* ci = c + i * ldc;
    __m512 v = acc[i];
    if (flags & kGemmAccumulate) v = _mm512_add_ps(_mm512_loadu_ps(ci), v);
    if (flags & kGemmEpilogue) {
      v = _mm512_add_ps(v, _mm512_loadu_ps(bias));
      // Operand order keeps NaN: max/min return the second operand when either is NaN.
      v = _mm512_min_ps(vmax, _mm512_max_ps(vmin, v));
    }
    _mm512_storeu_ps(ci, v);
  }
}

}  // namespace convkit
