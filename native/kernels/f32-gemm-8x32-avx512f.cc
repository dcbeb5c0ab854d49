// AVX-512F micro-kernel over two panels: 8 rows x 32 columns in 16 named zmm accumulators. Each
// broadcast of A feeds two FMAs, so the k loop issues 16 FMAs for 10 loads and runs at the FMA
// limit where 8x16 (9 loads per 8 FMAs) does not. Compiled for AVX-512 through the target pragma
// only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_8x32_avx512f(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                           const float* w0, const float* w1, float* c, size_t ldc, unsigned flags,
                           const float* bias, float minv, float maxv) {
  // Rows past mr alias the row above: they compute its values again and are never stored.
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_rs : a0;
  const float* a2 = mr > 2 ? a1 + a_rs : a1;
  const float* a3 = mr > 3 ? a2 + a_rs : a2;
  const float* a4 = mr > 4 ? a3 + a_rs : a3;
  const float* a5 = mr > 5 ? a4 + a_rs : a4;
  const float* a6 = mr > 6 ? a5 + a_rs : a5;
  const float* a7 = mr > 7 ? a6 + a_rs : a6;

  PrefetchTile(c, ldc, mr, 32 * sizeof(float));
  __m512 c0l = _mm512_setzero_ps(), c0h = _mm512_setzero_ps();
  __m512 c1l = _mm512_setzero_ps(), c1h = _mm512_setzero_ps();
  __m512 c2l = _mm512_setzero_ps(), c2h = _mm512_setzero_ps();
  __m512 c3l = _mm512_setzero_ps(), c3h = _mm512_setzero_ps();
  __m512 c4l = _mm512_setzero_ps(), c4h = _mm512_setzero_ps();
  __m512 c5l = _mm512_setzero_ps(), c5h = _mm512_setzero_ps();
  __m512 c6l = _mm512_setzero_ps(), c6h = _mm512_setzero_ps();
  __m512 c7l = _mm512_setzero_ps(), c7h = _mm512_setzero_ps();
  for (size_t k = 0, ka = 0; k < kc; k++, ka += a_cs, w0 += kGemmNR, w1 += kGemmNR) {
    const __m512 wl = _mm512_loadu_ps(w0), wh = _mm512_loadu_ps(w1);
    __m512 va = _mm512_set1_ps(a0[ka]);
    c0l = _mm512_fmadd_ps(va, wl, c0l);
    c0h = _mm512_fmadd_ps(va, wh, c0h);
    va = _mm512_set1_ps(a1[ka]);
    c1l = _mm512_fmadd_ps(va, wl, c1l);
    c1h = _mm512_fmadd_ps(va, wh, c1h);
    va = _mm512_set1_ps(a2[ka]);
    c2l = _mm512_fmadd_ps(va, wl, c2l);
    c2h = _mm512_fmadd_ps(va, wh, c2h);
    va = _mm512_set1_ps(a3[ka]);
    c3l = _mm512_fmadd_ps(va, wl, c3l);
    c3h = _mm512_fmadd_ps(va, wh, c3h);
    va = _mm512_set1_ps(a4[ka]);
    c4l = _mm512_fmadd_ps(va, wl, c4l);
    c4h = _mm512_fmadd_ps(va, wh, c4h);
    va = _mm512_set1_ps(a5[ka]);
    c5l = _mm512_fmadd_ps(va, wl, c5l);
    c5h = _mm512_fmadd_ps(va, wh, c5h);
    va = _mm512_set1_ps(a6[ka]);
    c6l = _mm512_fmadd_ps(va, wl, c6l);
    c6h = _mm512_fmadd_ps(va, wh, c6h);
    va = _mm512_set1_ps(a7[ka]);
    c7l = _mm512_fmadd_ps(va, wl, c7l);
    c7h = _mm512_fmadd_ps(va, wh, c7h);
  }

  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  StoreRow32Avx512(c, c0l, c0h, flags, bias, vmin, vmax);
  if (mr > 1) StoreRow32Avx512(c + ldc, c1l, c1h, flags, bias, vmin, vmax);
  if (mr > 2) StoreRow32Avx512(c + 2 * ldc, c2l, c2h, flags, bias, vmin, vmax);
  if (mr > 3) StoreRow32Avx512(c + 3 * ldc, c3l, c3h, flags, bias, vmin, vmax);
  if (mr > 4) StoreRow32Avx512(c + 4 * ldc, c4l, c4h, flags, bias, vmin, vmax);
  if (mr > 5) StoreRow32Avx512(c + 5 * ldc, c5l, c5h, flags, bias, vmin, vmax);
  if (mr > 6) StoreRow32Avx512(c + 6 * ldc, c6l, c6h, flags, bias, vmin, vmax);
  if (mr > 7) StoreRow32Avx512(c + 7 * ldc, c7l, c7h, flags, bias, vmin, vmax);
}

}  // namespace convkit
