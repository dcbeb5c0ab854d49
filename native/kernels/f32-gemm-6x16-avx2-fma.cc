// AVX2 + FMA micro-kernel: 6 rows x 16 columns in 12 named ymm accumulators (with the two rows
// of W and one broadcast of A, 15 of the 16 registers), so nothing leaves the registers inside
// the k loop. Compiled for AVX2 through the target pragma only; it runs only when
// cpu-features.cc says so.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/avx2-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_6x16_avx2_fma(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                            const float* w, float* c, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv) {
  // Rows past mr alias the row above: they compute its values again and are never stored.
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_rs : a0;
  const float* a2 = mr > 2 ? a1 + a_rs : a1;
  const float* a3 = mr > 3 ? a2 + a_rs : a2;
  const float* a4 = mr > 4 ? a3 + a_rs : a3;
  const float* a5 = mr > 5 ? a4 + a_rs : a4;

  PrefetchTile(c, ldc, mr, 16 * sizeof(float));
  __m256 c0l = _mm256_setzero_ps(), c0h = _mm256_setzero_ps();
  __m256 c1l = _mm256_setzero_ps(), c1h = _mm256_setzero_ps();
  __m256 c2l = _mm256_setzero_ps(), c2h = _mm256_setzero_ps();
  __m256 c3l = _mm256_setzero_ps(), c3h = _mm256_setzero_ps();
  __m256 c4l = _mm256_setzero_ps(), c4h = _mm256_setzero_ps();
  __m256 c5l = _mm256_setzero_ps(), c5h = _mm256_setzero_ps();
  for (size_t k = 0, ka = 0; k < kc; k++, ka += a_cs, w += kGemmNR) {
    const __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);
    __m256 va = _mm256_broadcast_ss(a0 + ka);
    c0l = _mm256_fmadd_ps(va, wl, c0l);
    c0h = _mm256_fmadd_ps(va, wh, c0h);
    va = _mm256_broadcast_ss(a1 + ka);
    c1l = _mm256_fmadd_ps(va, wl, c1l);
    c1h = _mm256_fmadd_ps(va, wh, c1h);
    va = _mm256_broadcast_ss(a2 + ka);
    c2l = _mm256_fmadd_ps(va, wl, c2l);
    c2h = _mm256_fmadd_ps(va, wh, c2h);
    va = _mm256_broadcast_ss(a3 + ka);
    c3l = _mm256_fmadd_ps(va, wl, c3l);
    c3h = _mm256_fmadd_ps(va, wh, c3h);
    va = _mm256_broadcast_ss(a4 + ka);
    c4l = _mm256_fmadd_ps(va, wl, c4l);
    c4h = _mm256_fmadd_ps(va, wh, c4h);
    va = _mm256_broadcast_ss(a5 + ka);
    c5l = _mm256_fmadd_ps(va, wl, c5l);
    c5h = _mm256_fmadd_ps(va, wh, c5h);
  }

  const __m256 vmin = _mm256_set1_ps(minv), vmax = _mm256_set1_ps(maxv);
  StoreRow16Avx2(c, c0l, c0h, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow16Avx2(c + ldc, c1l, c1h, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow16Avx2(c + 2 * ldc, c2l, c2h, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow16Avx2(c + 3 * ldc, c3l, c3h, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow16Avx2(c + 4 * ldc, c4l, c4h, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow16Avx2(c + 5 * ldc, c5l, c5h, flags, bias, vmin, vmax);
}

}  // namespace convkit
