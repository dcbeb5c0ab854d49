// AVX-512F micro-kernel for a single row over four panels (a GEMV step, e.g. Dense with batch 1):
// four weight streams in flight where f32_gemm_1x32_avx512f has two (a loop over D3's 151 MB of
// panels here read 14.5 GB/s with two streams, 15.9 with four). k unrolled by four into four
// accumulators per panel, summed as the 1x16 and 1x32 kernels sum theirs, so a column's bits do
// not depend on which row kernel computed it (panels are split among threads). Compiled for AVX-512 through
// the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/avx512-store-row.h"
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_1x64_avx512f(size_t kc, const float* a, size_t a_cs, const float* w, size_t panel_stride,
                           float* c, unsigned flags, const float* bias, float minv, float maxv) {
  PrefetchTile(c, 0, 1, 64 * sizeof(float));
  const float* w0 = w;
  const float* w1 = w + panel_stride;
  const float* w2 = w + 2 * panel_stride;
  const float* w3 = w + 3 * panel_stride;
  // Panel p, step k into accumulator pK with K = k % 4 (the steps past the last four into p0).
  __m512 p00 = _mm512_setzero_ps(), p01 = _mm512_setzero_ps(), p02 = _mm512_setzero_ps(), p03 = _mm512_setzero_ps();
  __m512 p10 = _mm512_setzero_ps(), p11 = _mm512_setzero_ps(), p12 = _mm512_setzero_ps(), p13 = _mm512_setzero_ps();
  __m512 p20 = _mm512_setzero_ps(), p21 = _mm512_setzero_ps(), p22 = _mm512_setzero_ps(), p23 = _mm512_setzero_ps();
  __m512 p30 = _mm512_setzero_ps(), p31 = _mm512_setzero_ps(), p32 = _mm512_setzero_ps(), p33 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4, w0 += 4 * kGemmNR, w1 += 4 * kGemmNR, w2 += 4 * kGemmNR, w3 += 4 * kGemmNR) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]), a1 = _mm512_set1_ps(a[(k + 1) * a_cs]);
    const __m512 a2 = _mm512_set1_ps(a[(k + 2) * a_cs]), a3 = _mm512_set1_ps(a[(k + 3) * a_cs]);
    p00 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), p00);
    p10 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), p10);
    p20 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w2), p20);
    p30 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w3), p30);
    p01 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w0 + kGemmNR), p01);
    p11 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w1 + kGemmNR), p11);
    p21 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w2 + kGemmNR), p21);
    p31 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(w3 + kGemmNR), p31);
    p02 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w0 + 2 * kGemmNR), p02);
    p12 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w1 + 2 * kGemmNR), p12);
    p22 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w2 + 2 * kGemmNR), p22);
    p32 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(w3 + 2 * kGemmNR), p32);
    p03 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w0 + 3 * kGemmNR), p03);
    p13 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w1 + 3 * kGemmNR), p13);
    p23 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w2 + 3 * kGemmNR), p23);
    p33 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(w3 + 3 * kGemmNR), p33);
  }
  for (; k < kc; k++, w0 += kGemmNR, w1 += kGemmNR, w2 += kGemmNR, w3 += kGemmNR) {
    const __m512 a0 = _mm512_set1_ps(a[k * a_cs]);
    p00 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w0), p00);
    p10 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w1), p10);
    p20 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w2), p20);
    p30 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(w3), p30);
  }
  // Summed as f32_gemm_1x16_avx512f sums its four: (0 + 1) + (2 + 3).
  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  StoreRow32Avx512(c, _mm512_add_ps(_mm512_add_ps(p00, p01), _mm512_add_ps(p02, p03)),
                   _mm512_add_ps(_mm512_add_ps(p10, p11), _mm512_add_ps(p12, p13)), flags, bias, vmin, vmax);
  StoreRow32Avx512(c + 2 * kGemmNR, _mm512_add_ps(_mm512_add_ps(p20, p21), _mm512_add_ps(p22, p23)),
                   _mm512_add_ps(_mm512_add_ps(p30, p31), _mm512_add_ps(p32, p33)), flags, bias + 2 * kGemmNR, vmin, vmax);
}

}  // namespace convkit
