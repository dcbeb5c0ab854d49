// AVX-512F micro-kernel for packed A: 12 rows x 32 columns (two panels) in 24 named zmm
// accumulators. Each k step issues 24 FMAs for 2 loads of W and 12 broadcasts of A, where 8x32
// issues 16 for 10: in a whole GEMM the extra rows took 1024^3 and 2048^3 about 7% closer to the
// FMA limit (bench --kernels). A single pointer walks the packed tile (row i at a[i]), which the
// 12 row pointers of an in-place A would not leave registers for; in-place A takes 8x32.
// Compiled for AVX-512 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_12x32_avx512f(size_t mr, size_t kc, const float* a, size_t /*a_rs*/, size_t a_cs,
                            const float* w0, const float* w1, float* c, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv) {
  // Rows past mr read the tile's zero padding: computed, never stored.
  PrefetchTile(c, ldc, mr, 32 * sizeof(float));
  __m512 c0l = _mm512_setzero_ps(), c0h = _mm512_setzero_ps();
  __m512 c1l = _mm512_setzero_ps(), c1h = _mm512_setzero_ps();
  __m512 c2l = _mm512_setzero_ps(), c2h = _mm512_setzero_ps();
  __m512 c3l = _mm512_setzero_ps(), c3h = _mm512_setzero_ps();
  __m512 c4l = _mm512_setzero_ps(), c4h = _mm512_setzero_ps();
  __m512 c5l = _mm512_setzero_ps(), c5h = _mm512_setzero_ps();
  __m512 c6l = _mm512_setzero_ps(), c6h = _mm512_setzero_ps();
  __m512 c7l = _mm512_setzero_ps(), c7h = _mm512_setzero_ps();
  __m512 c8l = _mm512_setzero_ps(), c8h = _mm512_setzero_ps();
  __m512 c9l = _mm512_setzero_ps(), c9h = _mm512_setzero_ps();
  __m512 c10l = _mm512_setzero_ps(), c10h = _mm512_setzero_ps();
  __m512 c11l = _mm512_setzero_ps(), c11h = _mm512_setzero_ps();
  for (size_t k = 0; k < kc; k++, a += a_cs, w0 += kGemmNR, w1 += kGemmNR) {
    const __m512 wl = _mm512_loadu_ps(w0), wh = _mm512_loadu_ps(w1);
    __m512 va = _mm512_set1_ps(a[0]);
    c0l = _mm512_fmadd_ps(va, wl, c0l);
    c0h = _mm512_fmadd_ps(va, wh, c0h);
    va = _mm512_set1_ps(a[1]);
    c1l = _mm512_fmadd_ps(va, wl, c1l);
    c1h = _mm512_fmadd_ps(va, wh, c1h);
    va = _mm512_set1_ps(a[2]);
    c2l = _mm512_fmadd_ps(va, wl, c2l);
    c2h = _mm512_fmadd_ps(va, wh, c2h);
    va = _mm512_set1_ps(a[3]);
    c3l = _mm512_fmadd_ps(va, wl, c3l);
    c3h = _mm512_fmadd_ps(va, wh, c3h);
    va = _mm512_set1_ps(a[4]);
    c4l = _mm512_fmadd_ps(va, wl, c4l);
    c4h = _mm512_fmadd_ps(va, wh, c4h);
    va = _mm512_set1_ps(a[5]);
    c5l = _mm512_fmadd_ps(va, wl, c5l);
    c5h = _mm512_fmadd_ps(va, wh, c5h);
    va = _mm512_set1_ps(a[6]);
    c6l = _mm512_fmadd_ps(va, wl, c6l);
    c6h = _mm512_fmadd_ps(va, wh, c6h);
    va = _mm512_set1_ps(a[7]);
    c7l = _mm512_fmadd_ps(va, wl, c7l);
    c7h = _mm512_fmadd_ps(va, wh, c7h);
    va = _mm512_set1_ps(a[8]);
    c8l = _mm512_fmadd_ps(va, wl, c8l);
    c8h = _mm512_fmadd_ps(va, wh, c8h);
    va = _mm512_set1_ps(a[9]);
    c9l = _mm512_fmadd_ps(va, wl, c9l);
    c9h = _mm512_fmadd_ps(va, wh, c9h);
    va = _mm512_set1_ps(a[10]);
    c10l = _mm512_fmadd_ps(va, wl, c10l);
    c10h = _mm512_fmadd_ps(va, wh, c10h);
    va = _mm512_set1_ps(a[11]);
    c11l = _mm512_fmadd_ps(va, wl, c11l);
    c11h = _mm512_fmadd_ps(va, wh, c11h);
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
  if (mr > 8) StoreRow32Avx512(c + 8 * ldc, c8l, c8h, flags, bias, vmin, vmax);
  if (mr > 9) StoreRow32Avx512(c + 9 * ldc, c9l, c9h, flags, bias, vmin, vmax);
  if (mr > 10) StoreRow32Avx512(c + 10 * ldc, c10l, c10h, flags, bias, vmin, vmax);
  if (mr > 11) StoreRow32Avx512(c + 11 * ldc, c11l, c11h, flags, bias, vmin, vmax);
}

}  // namespace convkit
