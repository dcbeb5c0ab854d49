// Max over the taps of one pooling window, 8 channels per ymm register held across all taps: one load
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
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, y);
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

}  // namespace

void f32_maxpool_nhwc_avx2(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y) {
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
