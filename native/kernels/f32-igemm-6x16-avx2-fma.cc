// AVX2 + FMA indirect micro-kernel: 6 rows x 16 columns in 12 named ymm accumulators, A read
// through an indirection buffer (one pointer per row and window tap) instead of an im2col copy.
// Compiled for AVX2 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/avx2-store-row.h"
#include "kernels/igemm.h"

namespace convkit {

void f32_igemm_6x16_avx2_fma(size_t mr, size_t taps, size_t c, const float* const* ind,
                             size_t a_offset, const float* zero,
                             const float* w, float* out, size_t ldc, unsigned flags,
                             const float* bias, float minv, float maxv) {
  PrefetchTile(out, ldc, mr, 16 * sizeof(float));
  __m256 c0l = _mm256_setzero_ps(), c0h = _mm256_setzero_ps();
  __m256 c1l = _mm256_setzero_ps(), c1h = _mm256_setzero_ps();
  __m256 c2l = _mm256_setzero_ps(), c2h = _mm256_setzero_ps();
  __m256 c3l = _mm256_setzero_ps(), c3h = _mm256_setzero_ps();
  __m256 c4l = _mm256_setzero_ps(), c4h = _mm256_setzero_ps();
  __m256 c5l = _mm256_setzero_ps(), c5h = _mm256_setzero_ps();
  for (size_t t = 0; t < taps; t++, ind += 6) {
    const float* a0 = ShiftedRow(ind[0], zero, a_offset);
    const float* a1 = ShiftedRow(ind[1], zero, a_offset);
    const float* a2 = ShiftedRow(ind[2], zero, a_offset);
    const float* a3 = ShiftedRow(ind[3], zero, a_offset);
    const float* a4 = ShiftedRow(ind[4], zero, a_offset);
    const float* a5 = ShiftedRow(ind[5], zero, a_offset);
    for (size_t ch = 0; ch < c; ch++, w += kGemmNR) {
      const __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);
      __m256 v0 = _mm256_broadcast_ss(a0 + ch);
      c0l = _mm256_fmadd_ps(v0, wl, c0l);
      c0h = _mm256_fmadd_ps(v0, wh, c0h);
      __m256 v1 = _mm256_broadcast_ss(a1 + ch);
      c1l = _mm256_fmadd_ps(v1, wl, c1l);
      c1h = _mm256_fmadd_ps(v1, wh, c1h);
      __m256 v2 = _mm256_broadcast_ss(a2 + ch);
      c2l = _mm256_fmadd_ps(v2, wl, c2l);
      c2h = _mm256_fmadd_ps(v2, wh, c2h);
      __m256 v3 = _mm256_broadcast_ss(a3 + ch);
      c3l = _mm256_fmadd_ps(v3, wl, c3l);
      c3h = _mm256_fmadd_ps(v3, wh, c3h);
      __m256 v4 = _mm256_broadcast_ss(a4 + ch);
      c4l = _mm256_fmadd_ps(v4, wl, c4l);
      c4h = _mm256_fmadd_ps(v4, wh, c4h);
      __m256 v5 = _mm256_broadcast_ss(a5 + ch);
      c5l = _mm256_fmadd_ps(v5, wl, c5l);
      c5h = _mm256_fmadd_ps(v5, wh, c5h);
    }
  }

  const __m256 vmin = _mm256_set1_ps(minv), vmax = _mm256_set1_ps(maxv);
  StoreRow16Avx2(out, c0l, c0h, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow16Avx2(out + 1 * ldc, c1l, c1h, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow16Avx2(out + 2 * ldc, c2l, c2h, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow16Avx2(out + 3 * ldc, c3l, c3h, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow16Avx2(out + 4 * ldc, c4l, c4h, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow16Avx2(out + 5 * ldc, c5l, c5h, flags, bias, vmin, vmax);
}

}  // namespace convkit
