// Depthwise convolution, 16 channels (two ymm accumulators: one weight panel) per tile across all
// taps of a pixel, then 8, then single channels. The clamp's operand order keeps NaN. Compiled for AVX2 and FMA through the target
// pragma only; it runs only when cpu-features.cc says so.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/dwconv.h"

namespace convkit {

void f32_dwconv_16_avx2_fma(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                            const float* w, const float* bias, float minv, float maxv, float* y) {
  if (DwconvMultiplied(pixels, taps, inputs, c, m, w, bias, minv, maxv, y)) return;
  const __m256 vmin = _mm256_set1_ps(minv), vmax = _mm256_set1_ps(maxv);
  const size_t panel = taps * kGemmNR;
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) {
    size_t j = 0;
    const float* wp = w;
    for (; j + 16 <= c; j += 16, wp += panel) {
      __m256 vacc01234567 = bias ? _mm256_loadu_ps(bias + j) : _mm256_setzero_ps();
      __m256 vacc89ABCDEF = bias ? _mm256_loadu_ps(bias + j + 8) : _mm256_setzero_ps();
      const float* wk = wp;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR) {
        const float* row = inputs[t] + j;
        vacc01234567 = _mm256_fmadd_ps(_mm256_loadu_ps(row), _mm256_loadu_ps(wk), vacc01234567);
        vacc89ABCDEF = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8), _mm256_loadu_ps(wk + 8), vacc89ABCDEF);
      }
      _mm256_storeu_ps(y + j, _mm256_min_ps(vmax, _mm256_max_ps(vmin, vacc01234567)));
      _mm256_storeu_ps(y + j + 8, _mm256_min_ps(vmax, _mm256_max_ps(vmin, vacc89ABCDEF)));
    }
    if (j + 8 <= c) {
      __m256 vacc01234567 = bias ? _mm256_loadu_ps(bias + j) : _mm256_setzero_ps();
      const float* wk = wp;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR)
        vacc01234567 = _mm256_fmadd_ps(_mm256_loadu_ps(inputs[t] + j), _mm256_loadu_ps(wk), vacc01234567);
      _mm256_storeu_ps(y + j, _mm256_min_ps(vmax, _mm256_max_ps(vmin, vacc01234567)));
      j += 8;
    }
    DwconvChannels(taps, inputs, j, c, 1, w, bias, minv, maxv, y);
  }
}

}  // namespace convkit
