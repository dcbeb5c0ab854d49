// AVX-512F micro-kernel for a single row over two panels (a GEMV step, e.g. Dense with batch 1):
// two weight streams at once keep more loads in flight, k unrolled by four into four
// accumulators per panel, summed exactly as f32_gemm_1x16_avx512f sums its own, so a column's
// bits do not depend on which row kernel computed it (threads split the panels, and where a
// split falls decides which kernel takes a panel). Bound by reading the packed weights. Compiled for AVX-512 through the target
// pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_1x32_avx512f(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                           const float* w0, const float* w1, float* c, size_t ldc, unsigned flags,
                           const float* bias, float minv, float maxv) {
  (void)mr;
  (void)a_rs;
  (void)ldc;
  PrefetchTile(c, ldc, 1, 32 * sizeof(float));
  // Step k into accumulator k % 4 of its panel (the steps past the last four into the first).
  __m512 l0 = _mm512_setzero_ps(), l1 = _mm512_setzero_ps(), l2 = _mm512_setzero_ps(), l3 = _mm512_setzero_ps();
  __m512 h0 = _mm512_setzero_ps(), h1 = _mm512_setzero_ps(), h2 = _mm512_setzero_ps(), h3 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4, w0 += 4 * kGemmNR, w1 += 4 * kGemmNR) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]), a1 = _mm512_set1_ps(a[(k + 1) * a_cs]);
    const __m512 a2 = _mm512_set1_ps(a[(k + 2) * a_cs]), a3 = _mm512_set1_ps(a[(k + 3) * a_cs]);
    l0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), l0);
    h0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), h0);
    l1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w0 + kGemmNR), l1);
    h1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w1 + kGemmNR), h1);
    l2 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w0 + 2 * kGemmNR), l2);
    h2 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w1 + 2 * kGemmNR), h2);
    l3 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w0 + 3 * kGemmNR), l3);
    h3 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w1 + 3 * kGemmNR), h3);
  }
  for (; k < kc; k++, w0 += kGemmNR, w1 += kGemmNR) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]);
    l0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), l0);
    h0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), h0);
  }
  // Summed as f32_gemm_1x16_avx512f sums its four: (0 + 1) + (2 + 3).
  StoreRow32Avx512(c, _mm512_add_ps(_mm512_add_ps(l0, l1), _mm512_add_ps(l2, l3)),
                   _mm512_add_ps(_mm512_add_ps(h0, h1), _mm512_add_ps(h2, h3)), flags, bias,
                   _mm512_set1_ps(minv), _mm512_set1_ps(maxv));
}

}  // namespace convkit
