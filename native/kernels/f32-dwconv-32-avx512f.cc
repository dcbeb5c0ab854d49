// Depthwise convolution, 32 channels (two zmm accumulators) per tile across all taps of a pixel:
// one load of input and of weights per tap and register, one store per register; a last 16 and
// the final channels under a mask (the weights' panel is zero-padded, the input is not). The
// clamp's operand order keeps NaN (max and min return the second operand when either is NaN). Compiled
// for AVX-512 through the target pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/dwconv.h"

namespace convkit {

void f32_dwconv_32_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                           const float* w, const float* bias, float minv, float maxv, float* y) {
  if (DwconvMultiplied(pixels, taps, inputs, c, m, w, bias, minv, maxv, y)) return;
  const __m512 vmin = _mm512_set1_ps(minv), vmax = _mm512_set1_ps(maxv);
  const size_t panel = taps * kGemmNR;
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) {
    size_t j = 0;
    const float* wp = w;
    for (; j + 32 <= c; j += 32, wp += 2 * panel) {
      __m512 vacc0 = bias ? _mm512_loadu_ps(bias + j) : _mm512_setzero_ps();
      __m512 vacc1 = bias ? _mm512_loadu_ps(bias + j + 16) : _mm512_setzero_ps();
      const float* wk = wp;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR) {
        const float* row = inputs[t] + j;
        vacc0 = _mm512_fmadd_ps(_mm512_loadu_ps(row), _mm512_loadu_ps(wk), vacc0);
        vacc1 = _mm512_fmadd_ps(_mm512_loadu_ps(row + 16), _mm512_loadu_ps(wk + panel), vacc1);
      }
      _mm512_storeu_ps(y + j, _mm512_min_ps(vmax, _mm512_max_ps(vmin, vacc0)));
      _mm512_storeu_ps(y + j + 16, _mm512_min_ps(vmax, _mm512_max_ps(vmin, vacc1)));
    }
    for (; j < c; j += 16, wp += panel) {
      const __mmask16 mask = c - j >= 16 ? __mmask16(0xffff) : __mmask16((1u << (c - j)) - 1);
      __m512 vacc = bias ? _mm512_maskz_loadu_ps(mask, bias + j) : _mm512_setzero_ps();
      const float* wk = wp;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR)
        vacc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, inputs[t] + j), _mm512_loadu_ps(wk), vacc);
      _mm512_mask_storeu_ps(y + j, mask, _mm512_min_ps(vmax, _mm512_max_ps(vmin, vacc)));
    }
  }
}

}  // namespace convkit
