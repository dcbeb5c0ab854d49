// AVX-512F micro-kernel for a single row (a GEMV step, e.g. Dense with batch 1): 16 columns, k
// unrolled by four into four accumulators so that FMA latency does not bound it; it is bound by
// reading the packed weights. Compiled for AVX-512 through the target pragma only; it runs only
// when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_1x16_avx512f(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                           const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                           float minv, float maxv) {
  (void)mr;
  (void)a_rs;
  (void)ldc;
  PrefetchTile(c, ldc, 1, 16 * sizeof(float));
  __m512 v0 = _mm512_setzero_ps(), v1 = _mm512_setzero_ps();
  __m512 v2 = _mm512_setzero_ps(), v3 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4, w += 4 * kGemmNR) {
    v0 = _mm512_fmadd_ps(_mm512_set1_ps(a[k * a_cs]), _mm512_loadu_ps(w), v0);
    v1 = _mm512_fmadd_ps(_mm512_set1_ps(a[(k + 1) * a_cs]), _mm512_loadu_ps(w + kGemmNR), v1);
    v2 = _mm512_fmadd_ps(_mm512_set1_ps(a[(k + 2) * a_cs]), _mm512_loadu_ps(w + 2 * kGemmNR), v2);
    v3 = _mm512_fmadd_ps(_mm512_set1_ps(a[(k + 3) * a_cs]), _mm512_loadu_ps(w + 3 * kGemmNR), v3);
  }
  for (; k < kc; k++, w += kGemmNR) v0 = _mm512_fmadd_ps(_mm512_set1_ps(a[k * a_cs]), _mm512_loadu_ps(w), v0);
  StoreRow16Avx512(c, _mm512_add_ps(_mm512_add_ps(v0, v1), _mm512_add_ps(v2, v3)), flags, bias,
                   _mm512_set1_ps(minv), _mm512_set1_ps(maxv));
}

}  // namespace convkit
