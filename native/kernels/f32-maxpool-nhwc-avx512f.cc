// Max or average over the taps of one pooling window, 16 channels per zmm register held across all taps: one load
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

// One window: its max over taps, 16 channels at a time, the last ones under a mask (a layer of
// 8 channels is one masked group, not 8 scalar loops).
inline void PoolPixel(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, nullptr, y);
  for (size_t j = 0; j < c; j += 16) {
    const __mmask16 lanes = c - j >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c - j)) - 1);
    // max returns its second operand when either is NaN, so m keeps a NaN it holds; a NaN in a
    // later tap is tracked on the side. Any NaN tap gives NaN, as the scalar kernel does.
    __m512 m = _mm512_maskz_loadu_ps(lanes, inputs[0] + j);
    __mmask16 nan = 0;
    for (size_t t = 1; t < taps; t++) {
      const __m512 v = _mm512_maskz_loadu_ps(lanes, inputs[t] + j);
      nan = _kor_mask16(nan, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
      m = _mm512_max_ps(v, m);
    }
    _mm512_mask_storeu_ps(y + j, lanes, _mm512_mask_blend_ps(nan, m, _mm512_set1_ps(NAN)));
  }
}

// One window's average: 64 channels in four registers across the taps (four add chains in
// flight), then 16, then the last ones under a mask.
inline void AvgPixel(size_t taps, const float* const* inputs, size_t c, float divisor, float* y) {
  const __m512 vd = _mm512_set1_ps(divisor);
  size_t j = 0;
  for (; j + 64 <= c; j += 64) {
    const float* i0 = inputs[0] + j;
    __m512 vacc0 = _mm512_loadu_ps(i0), vacc1 = _mm512_loadu_ps(i0 + 16);
    __m512 vacc2 = _mm512_loadu_ps(i0 + 32), vacc3 = _mm512_loadu_ps(i0 + 48);
    for (size_t t = 1; t < taps; t++) {
      const float* it = inputs[t] + j;
      vacc0 = _mm512_add_ps(vacc0, _mm512_loadu_ps(it));
      vacc1 = _mm512_add_ps(vacc1, _mm512_loadu_ps(it + 16));
      vacc2 = _mm512_add_ps(vacc2, _mm512_loadu_ps(it + 32));
      vacc3 = _mm512_add_ps(vacc3, _mm512_loadu_ps(it + 48));
    }
    _mm512_storeu_ps(y + j, _mm512_div_ps(vacc0, vd));
    _mm512_storeu_ps(y + j + 16, _mm512_div_ps(vacc1, vd));
    _mm512_storeu_ps(y + j + 32, _mm512_div_ps(vacc2, vd));
    _mm512_storeu_ps(y + j + 48, _mm512_div_ps(vacc3, vd));
  }
  for (; j < c; j += 16) {
    const __mmask16 m = c - j >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c - j)) - 1);
    __m512 vacc = _mm512_maskz_loadu_ps(m, inputs[0] + j);
    for (size_t t = 1; t < taps; t++) vacc = _mm512_add_ps(vacc, _mm512_maskz_loadu_ps(m, inputs[t] + j));
    _mm512_mask_storeu_ps(y + j, m, _mm512_div_ps(vacc, vd));
  }
}

}  // namespace

void f32_maxpool_nhwc_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y) {
  if (divisors) {
    for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) AvgPixel(taps, inputs, c, divisors[p], y);
    return;
  }
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
