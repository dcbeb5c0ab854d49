// AVX-512F micro-kernel for packed A: 12 rows x 16 columns in 12 named zmm accumulators, for
// the last odd panel of a packed GEMM (pairs of panels take f32-gemm-12x32-avx512f.cc). Reads A
// as packed tiles only (kernels/gemm.h). Compiled for AVX-512 through the target pragma only; it
// runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_12x16_avx512f(size_t mr, size_t kc, const float* a, size_t /*a_rs*/, size_t a_cs,
                            const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                            float minv, float maxv) {
  // Rows past mr read the tile's zero padding: computed, never stored.
  PrefetchTile(c, ldc, mr, 16 * sizeof(float));
  __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
  __m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
  __m512 c6 = _mm512_setzero_ps(), c7 = _mm512_setzero_ps(), c8 = _mm512_setzero_ps();
  __m512 c9 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  for (size_t k = 0; k < kc; k++, a += a_cs, w += kGemmNR) {
    const __m512 vw = _mm512_loadu_ps(w);
    c0 = _mm512_fmadd_ps(_mm512_set1_ps(a[0]), vw, c0);
    c1 = _mm512_fmadd_ps(_mm512_set1_ps(a[1]), vw, c1);
    c2 = _mm512_fmadd_ps(_mm512_set1_ps(a[2]), vw, c2);
    c3 = _mm512_fmadd_ps(_mm512_set1_ps(a[3]), vw, c3);
    c4 = _mm512_fmadd_ps(_mm512_set1_ps(a[4]), vw, c4);
    c5 = _mm512_fmadd_ps(_mm512_set1_ps(a[5]), vw, c5);
    c6 = _mm512_fmadd_ps(_mm512_set1_ps(a[6]), vw, c6);
    c7 = _mm512_fmadd_ps(_mm512_set1_ps(a[7]), vw, c7);
    c8 = _mm512_fmadd_ps(_mm512_set1_ps(a[8]), vw, c8);
    c9 = _mm512_fmadd_ps(_mm512_set1_ps(a[9]), vw, c9);
    c10 = _mm512_fmadd_ps(_mm512_set1_ps(a[10]), vw, c10);
    c11 = _mm512_fmadd_ps(_mm512_set1_ps(a[11]), vw, c11);
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
  if (mr > 8) StoreRow16Avx512(c + 8 * ldc, c8, flags, bias, vmin, vmax);
  if (mr > 9) StoreRow16Avx512(c + 9 * ldc, c9, flags, bias, vmin, vmax);
  if (mr > 10) StoreRow16Avx512(c + 10 * ldc, c10, flags, bias, vmin, vmax);
  if (mr > 11) StoreRow16Avx512(c + 11 * ldc, c11, flags, bias, vmin, vmax);
}

}  // namespace convkit
