// AVX-512F micro-kernel for a single row over two panels (a GEMV step, e.g. Dense with batch 1):
// two weight streams at once keep more loads in flight, k unrolled by two into four
// accumulators. Bound by reading the packed weights. Compiled for AVX-512 through the target
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
  __m512 l0 = _mm512_setzero_ps(), h0 = _mm512_setzero_ps();
  __m512 l1 = _mm512_setzero_ps(), h1 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 2 <= kc; k += 2, w0 += 2 * kGemmNR, w1 += 2 * kGemmNR) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]), a1 = _mm512_set1_ps(a[(k + 1) * a_cs]);
    l0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), l0);
    h0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), h0);
    l1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w0 + kGemmNR), l1);
    h1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w1 + kGemmNR), h1);
  }
  if (k < kc) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]);
    l0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), l0);
    h0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), h0);
  }
  StoreRow32Avx512(c, _mm512_add_ps(l0, l1), _mm512_add_ps(h0, h1), flags, bias,
                   _mm512_set1_ps(minv), _mm512_set1_ps(maxv));
}

}  // namespace convkit
