// AVX-512F micro-kernel: 8 rows x 16 columns in 8 named zmm accumulators; each A element is
// broadcast straight from memory into its FMA. Used for a last odd panel; pairs of full panels
// go to f32-gemm-8x32-avx512f.cc, which does twice the FMAs per broadcast. Compiled for AVX-512 through the target pragma
// only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_8x16_avx512f(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                           const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                           float minv, float maxv) {
  // Rows past mr alias the row above: they compute its values again and are never stored.
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_rs : a0;
  const float* a2 = mr > 2 ? a1 + a_rs : a1;
  const float* a3 = mr > 3 ? a2 + a_rs : a2;
  const float* a4 = mr > 4 ? a3 + a_rs : a3;
  const float* a5 = mr > 5 ? a4 + a_rs : a4;
  const float* a6 = mr > 6 ? a5 + a_rs : a5;
  const float* a7 = mr > 7 ? a6 + a_rs : a6;

  PrefetchTile(c, ldc, mr, 16 * sizeof(float));
  __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
  __m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
  __m512 c6 = _mm512_setzero_ps(), c7 = _mm512_setzero_ps();
  for (size_t k = 0, ka = 0; k < kc; k++, ka += a_cs, w += kGemmNR) {
    const __m512 vw = _mm512_loadu_ps(w);
    c0 = _mm512_fmadd_ps(_mm512_set1_ps(a0[ka]), vw, c0);
    c1 = _mm512_fmadd_ps(_mm512_set1_ps(a1[ka]), vw, c1);
    c2 = _mm512_fmadd_ps(_mm512_set1_ps(a2[ka]), vw, c2);
    c3 = _mm512_fmadd_ps(_mm512_set1_ps(a3[ka]), vw, c3);
    c4 = _mm512_fmadd_ps(_mm512_set1_ps(a4[ka]), vw, c4);
    c5 = _mm512_fmadd_ps(_mm512_set1_ps(a5[ka]), vw, c5);
    c6 = _mm512_fmadd_ps(_mm512_set1_ps(a6[ka]), vw, c6);
    c7 = _mm512_fmadd_ps(_mm512_set1_ps(a7[ka]), vw, c7);
  }

  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  StoreRow16Avx512(c, c0, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow16Avx512(c + ldc, c1, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow16Avx512(c + 2 * ldc, c2, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow16Avx512(c + 3 * ldc, c3, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow16Avx512(c + 4 * ldc, c4, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow16Avx512(c + 5 * ldc, c5, flags, bias, vmin, vmax);
  if (mr > 6) StoreRow16Avx512(c + 6 * ldc, c6, flags, bias, vmin, vmax);
  if (mr > 7) StoreRow16Avx512(c + 7 * ldc, c7, flags, bias, vmin, vmax);
}

}  // namespace convkit
