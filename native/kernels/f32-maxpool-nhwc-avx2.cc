// Max or average over the taps of one pooling window, 8 channels per ymm register held across all taps: one load
// per tap and one store per group of channels. Compiled for AVX2 through the target pragma only;
// it runs only when cpu-features.cc says so.
#pragma GCC target("avx2")
#include <immintrin.h>

#include <cmath>

#include "kernels/maxpool.h"

namespace convkit {

namespace {

// One window: its max over taps, channel group by channel group.
inline void PoolPixel(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, nullptr, y);
  size_t j = 0;
  for (; j + 8 <= c; j += 8) {
    // max returns its second operand when either is NaN, so m keeps a NaN it holds; a NaN in a
    // later tap is tracked on the side. Any NaN tap gives NaN, as the scalar kernel does.
    __m256 m = _mm256_loadu_ps(inputs[0] + j);
    __m256 nan = _mm256_setzero_ps();
    for (size_t t = 1; t < taps; t++) {
      const __m256 v = _mm256_loadu_ps(inputs[t] + j);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      m = _mm256_max_ps(v, m);
    }
    _mm256_storeu_ps(y + j, _mm256_blendv_ps(m, _mm256_set1_ps(NAN), nan));
  }
  MaxPoolChannels(taps, inputs, j, c, y);
}

// One window's average: 32 channels in four registers across the taps (four add chains in
// flight), then 8, then one at a time.
inline void AvgPixel(size_t taps, const float* const* inputs, size_t c, float divisor, float* y) {
  const __m256 vd = _mm256_set1_ps(divisor);
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    const float* i0 = inputs[0] + j;
    __m256 vacc0 = _mm256_loadu_ps(i0), vacc1 = _mm256_loadu_ps(i0 + 8);
    __m256 vacc2 = _mm256_loadu_ps(i0 + 16), vacc3 = _mm256_loadu_ps(i0 + 24);
    for (size_t t = 1; t < taps; t++) {
      const float* it = inputs[t] + j;
      vacc0 = _mm256_add_ps(vacc0, _mm256_loadu_ps(it));
      vacc1 = _mm256_add_ps(vacc1, _mm256_loadu_ps(it + 8));
      vacc2 = _mm256_add_ps(vacc2, _mm256_loadu_ps(it + 16));
      vacc3 = _mm256_add_ps(vacc3, _mm256_loadu_ps(it + 24));
    }
    _mm256_storeu_ps(y + j, _mm256_div_ps(vacc0, vd));
    _mm256_storeu_ps(y + j + 8, _mm256_div_ps(vacc1, vd));
    _mm256_storeu_ps(y + j + 16, _mm256_div_ps(vacc2, vd));
    _mm256_storeu_ps(y + j + 24, _mm256_div_ps(vacc3, vd));
  }
  for (; j + 8 <= c; j += 8) {
    __m256 vacc = _mm256_loadu_ps(inputs[0] + j);
    for (size_t t = 1; t < taps; t++) vacc = _mm256_add_ps(vacc, _mm256_loadu_ps(inputs[t] + j));
    _mm256_storeu_ps(y + j, _mm256_div_ps(vacc, vd));
  }
  AvgPoolChannels(taps, inputs, j, c, divisor, y);
}

}  // namespace

void f32_maxpool_nhwc_avx2(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y) {
  if (divisors) {
    for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) AvgPixel(taps, inputs, c, divisors[p], y);
    return;
  }
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
