// Pooling micro-kernels over an indirection list of window taps, one per ISA (cpu-features.cc):
// the max, or the average when given divisors (one reduce parameter, so that max- and
// average-pooling share the ops' window and tap machinery, ops/maxpool2d.cc).
#pragma once
#include <cstddef>

namespace convkit {

// For each of `pixels` output pixels p and channel j < c, with divisors null:
// y[p * c + j] = max over t < taps of inputs[p * taps + t][j]. A NaN in any tap gives NaN, as
// numpy's max does; no taps gives -infinity (the op's caller rejects such windows before this).
// A window with fewer real taps than `taps` lists one of them again: the max of a value with
// itself is that value.
// With divisors: y[p * c + j] = (the sum of inputs[p * taps + t][j] over t, added in tap order
// from t = 0) / divisors[p], taps >= 1. Every vector width adds in that order, so every ISA gives
// the same bits. A window with fewer real taps lists a vector of c zeros for each missing one.
using MaxPoolFn = void (*)(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y);

void f32_maxpool_nhwc_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y);
void f32_maxpool_nhwc_avx2(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y);
void f32_maxpool_nhwc_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y);
void f32_maxpool_nhwc_neon(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y);

// Channels [j0, c) one at a time (taps >= 1): the scalar kernel, and the vector kernels' tail.
// Once m is NaN it stays NaN (no comparison with it is true).
inline void MaxPoolChannels(size_t taps, const float* const* inputs, size_t j0, size_t c, float* y) {
  for (size_t j = j0; j < c; j++) {
    float m = inputs[0][j];
    for (size_t t = 1; t < taps; t++) {
      const float v = inputs[t][j];
      m = (v > m || v != v) ? v : m;
    }
    y[j] = m;
  }
}

// Channels [j0, c) one at a time: the average kernels' tail (and the scalar kernel).
inline void AvgPoolChannels(size_t taps, const float* const* inputs, size_t j0, size_t c, float divisor, float* y) {
  for (size_t j = j0; j < c; j++) {
    float s = inputs[0][j];
    for (size_t t = 1; t < taps; t++) s += inputs[t][j];
    y[j] = s / divisor;
  }
}

}  // namespace convkit
