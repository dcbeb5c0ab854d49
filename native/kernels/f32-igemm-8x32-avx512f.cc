// AVX-512F indirect micro-kernel over two panels: 8 rows x 32 columns in 16 named zmm
// accumulators, A read through an indirection buffer (one pointer per row and window tap) instead
// of an im2col copy. Compiled for AVX-512 through the target pragma only; it runs only when
// cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/igemm.h"

namespace convkit {

void f32_igemm_8x32_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            size_t a_offset, const float* zero,
                            const float* w0, const float* w1, float* out, size_t ldc,
                            unsigned flags, const float* bias, float minv, float maxv) {
  PrefetchTile(out, ldc, mr, 32 * sizeof(float));
  __m512 c0l = _mm512_setzero_ps(), c0h = _mm512_setzero_ps();
  __m512 c1l = _mm512_setzero_ps(), c1h = _mm512_setzero_ps();
  __m512 c2l = _mm512_setzero_ps(), c2h = _mm512_setzero_ps();
  __m512 c3l = _mm512_setzero_ps(), c3h = _mm512_setzero_ps();
  __m512 c4l = _mm512_setzero_ps(), c4h = _mm512_setzero_ps();
  __m512 c5l = _mm512_setzero_ps(), c5h = _mm512_setzero_ps();
  __m512 c6l = _mm512_setzero_ps(), c6h = _mm512_setzero_ps();
  __m512 c7l = _mm512_setzero_ps(), c7h = _mm512_setzero_ps();
  for (size_t t = 0; t < taps; t++, ind += 8) {
    const float* a0 = ShiftedRow(ind[0], zero, a_offset);
    const float* a1 = ShiftedRow(ind[1], zero, a_offset);
    const float* a2 = ShiftedRow(ind[2], zero, a_offset);
    const float* a3 = ShiftedRow(ind[3], zero, a_offset);
    const float* a4 = ShiftedRow(ind[4], zero, a_offset);
    const float* a5 = ShiftedRow(ind[5], zero, a_offset);
    const float* a6 = ShiftedRow(ind[6], zero, a_offset);
    const float* a7 = ShiftedRow(ind[7], zero, a_offset);
    for (size_t ch = 0; ch < c; ch++, w0 += kGemmNR, w1 += kGemmNR) {
      const __m512 wl = _mm512_loadu_ps(w0), wh = _mm512_loadu_ps(w1);
      __m512 v0 = _mm512_set1_ps(a0[ch]);
      c0l = _mm512_fmadd_ps(v0, wl, c0l);
      c0h = _mm512_fmadd_ps(v0, wh, c0h);
      __m512 v1 = _mm512_set1_ps(a1[ch]);
      c1l = _mm512_fmadd_ps(v1, wl, c1l);
      c1h = _mm512_fmadd_ps(v1, wh, c1h);
      __m512 v2 = _mm512_set1_ps(a2[ch]);
      c2l = _mm512_fmadd_ps(v2, wl, c2l);
      c2h = _mm512_fmadd_ps(v2, wh, c2h);
      __m512 v3 = _mm512_set1_ps(a3[ch]);
      c3l = _mm512_fmadd_ps(v3, wl, c3l);
      c3h = _mm512_fmadd_ps(v3, wh, c3h);
      __m512 v4 = _mm512_set1_ps(a4[ch]);
      c4l = _mm512_fmadd_ps(v4, wl, c4l);
      c4h = _mm512_fmadd_ps(v4, wh, c4h);
      __m512 v5 = _mm512_set1_ps(a5[ch]);
      c5l = _mm512_fmadd_ps(v5, wl, c5l);
      c5h = _mm512_fmadd_ps(v5, wh, c5h);
      __m512 v6 = _mm512_set1_ps(a6[ch]);
      c6l = _mm512_fmadd_ps(v6, wl, c6l);
      c6h = _mm512_fmadd_ps(v6, wh, c6h);
      __m512 v7 = _mm512_set1_ps(a7[ch]);
      c7l = _mm512_fmadd_ps(v7, wl, c7l);
      c7h = _mm512_fmadd_ps(v7, wh, c7h);
    }
  }

  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  StoreRow32Avx512(out, c0l, c0h, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow32Avx512(out + 1 * ldc, c1l, c1h, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow32Avx512(out + 2 * ldc, c2l, c2h, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow32Avx512(out + 3 * ldc, c3l, c3h, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow32Avx512(out + 4 * ldc, c4l, c4h, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow32Avx512(out + 5 * ldc, c5l, c5h, flags, bias, vmin, vmax);
  if (mr > 6) StoreRow32Avx512(out + 6 * ldc, c6l, c6h, flags, bias, vmin, vmax);
  if (mr > 7) StoreRow32Avx512(out + 7 * ldc, c7l, c7h, flags, bias, vmin, vmax);
}

}  // namespace convkit
