// AVX2 + FMA micro-kernel for a single row over two panels (a GEMV step, e.g. Dense with batch
// 1): two weight streams at once keep more loads in flight, which a GEMV, bound by reading the
// packed weights, needs (one stream read D3's 151 MB at about 14 GB/s here). k unrolled by two
// into even and odd accumulators, as f32_gemm_1x16_avx2_fma sums them, so a column's bits do
// not depend on which of the two kernels computed it.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/avx2-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_1x32_avx2_fma(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                            const float* w0, const float* w1, float* c, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv) {
  (void)mr;
  (void)a_rs;
  (void)ldc;
  PrefetchTile(c, ldc, 1, 32 * sizeof(float));
  __m256 p0lo0 = _mm256_setzero_ps(), p0hi0 = _mm256_setzero_ps(), p0lo1 = _mm256_setzero_ps(), p0hi1 = _mm256_setzero_ps();
  __m256 p1lo0 = _mm256_setzero_ps(), p1hi0 = _mm256_setzero_ps(), p1lo1 = _mm256_setzero_ps(), p1hi1 = _mm256_setzero_ps();
  size_t k = 0;
  for (; k + 2 <= kc; k += 2, w0 += 2 * kGemmNR, w1 += 2 * kGemmNR) {
    const __m256 a0 = _mm256_broadcast_ss(a + k * a_cs), a1 = _mm256_broadcast_ss(a + (k + 1) * a_cs);
    p0lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w0), p0lo0);
    p0hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w0 + 8), p0hi0);
    p1lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w1), p1lo0);
    p1hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w1 + 8), p1hi0);
    p0lo1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w0 + kGemmNR), p0lo1);
    p0hi1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w0 + kGemmNR + 8), p0hi1);
    p1lo1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w1 + kGemmNR), p1lo1);
    p1hi1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(w1 + kGemmNR + 8), p1hi1);
  }
  if (k < kc) {
    const __m256 a0 = _mm256_broadcast_ss(a + k * a_cs);
    p0lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w0), p0lo0);
    p0hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w0 + 8), p0hi0);
    p1lo0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w1), p1lo0);
    p1hi0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(w1 + 8), p1hi0);
  }
  const __m256 vmin = _mm256_set1_ps(minv), vmax = _mm256_set1_ps(maxv);
  StoreRow16Avx2(c, _mm256_add_ps(p0lo0, p0lo1), _mm256_add_ps(p0hi0, p0hi1), flags, bias, vmin, vmax);
  StoreRow16Avx2(c + kGemmNR, _mm256_add_ps(p1lo0, p1lo1), _mm256_add_ps(p1hi0, p1hi1), flags, bias + kGemmNR, vmin, vmax);
}

}  // namespace convkit
