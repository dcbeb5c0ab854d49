// Max over the taps of one pooling window, 16 channels per zmm register held across all taps: one load
// per tap and one store per group of channels. Compiled for AVX-512 through the target pragma only;
// it runs only when cpu-features.cc says so.
#pragma GCC target("avx512f")
// GCC 12 warns about the undefined vector inside its own _mm512 intrinsics: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cmath>

#include "kernels/maxpool.h"

namespace convkit {

namespace {

// One window: its max over taps, channel group by channel group.
inline void PoolPixel(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, y);
  size_t j = 0;
  for (; j + 16 <= c; j += 16) {
    // max returns its second operand when either is NaN, so m keeps a NaN it holds; a NaN in a
    // later tap is tracked on the side. Any NaN tap gives NaN, as the scalar kernel does.
    __m512 m = _mm512_loadu_ps(inputs[0] + j);
    __mmask16 nan = 0;
    for (size_t t = 1; t < taps; t++) {
      const __m512 v = _mm512_loadu_ps(inputs[t] + j);
      nan = _kor_mask16(nan, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
      m = _mm512_max_ps(v, m);
    }
    _mm512_storeu_ps(y + j, _mm512_mask_blend_ps(nan, m, _mm512_set1_ps(NAN)));
  }
  MaxPoolChannels(taps, inputs, j, c, y);
}

}  // namespace

void f32_maxpool_nhwc_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y) {
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
