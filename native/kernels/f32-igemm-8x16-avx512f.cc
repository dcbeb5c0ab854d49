// AVX-512F indirect micro-kernel: 8 rows x 16 columns in 8 named zmm accumulators, A read
// through an indirection buffer. The last odd or partial panel of an indirect GEMM. Compiled for
// AVX-512 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/igemm.h"

namespace convkit {

void f32_igemm_8x16_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            size_t a_offset, const float* zero,
                            const float* w, float* out, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv) {
  PrefetchTile(out, ldc, mr, 16 * sizeof(float));
  __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
  __m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
  __m512 c6 = _mm512_setzero_ps(), c7 = _mm512_setzero_ps();
  for (size_t t = 0; t < taps; t++, ind += 8) {
    const float* a0 = ShiftedRow(ind[0], zero, a_offset);
    const float* a1 = ShiftedRow(ind[1], zero, a_offset);
    const float* a2 = ShiftedRow(ind[2], zero, a_offset);
    const float* a3 = ShiftedRow(ind[3], zero, a_offset);
    const float* a4 = ShiftedRow(ind[4], zero, a_offset);
    const float* a5 = ShiftedRow(ind[5], zero, a_offset);
    const float* a6 = ShiftedRow(ind[6], zero, a_offset);
    const float* a7 = ShiftedRow(ind[7], zero, a_offset);
    for (size_t ch = 0; ch < c; ch++, w += kGemmNR) {
      const __m512 vw = _mm512_loadu_ps(w);
      c0 = _mm512_fmadd_ps(_mm512_set1_ps(a0[ch]), vw, c0);
      c1 = _mm512_fmadd_ps(_mm512_set1_ps(a1[ch]), vw, c1);
      c2 = _mm512_fmadd_ps(_mm512_set1_ps(a2[ch]), vw, c2);
      c3 = _mm512_fmadd_ps(_mm512_set1_ps(a3[ch]), vw, c3);
      c4 = _mm512_fmadd_ps(_mm512_set1_ps(a4[ch]), vw, c4);
      c5 = _mm512_fmadd_ps(_mm512_set1_ps(a5[ch]), vw, c5);
      c6 = _mm512_fmadd_ps(_mm512_set1_ps(a6[ch]), vw, c6);
      c7 = _mm512_fmadd_ps(_mm512_set1_ps(a7[ch]), vw, c7);
    }
  }

  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  StoreRow16Avx512(out, c0, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow16Avx512(out + 1 * ldc, c1, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow16Avx512(out + 2 * ldc, c2, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow16Avx512(out + 3 * ldc, c3, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow16Avx512(out + 4 * ldc, c4, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow16Avx512(out + 5 * ldc, c5, flags, bias, vmin, vmax);
  if (mr > 6) StoreRow16Avx512(out + 6 * ldc, c6, flags, bias, vmin, vmax);
  if (mr > 7) StoreRow16Avx512(out + 7 * ldc, c7, flags, bias, vmin, vmax);
}

}  // namespace convkit
