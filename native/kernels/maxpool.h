// Max-pool micro-kernels over an indirection list of window taps, one per ISA (cpu-features.cc).
#pragma once
#include <cstddef>

namespace convkit {

// For each of `pixels` output pixels p: y[p * c + j] = max over t < taps of
// inputs[p * taps + t][j], for j < c. A NaN in any tap gives NaN, as numpy's max does; no taps
// gives -infinity (the op's caller rejects such windows before this). A window with fewer real
// taps than `taps` lists one of them again: the max of a value with itself is that value.
using MaxPoolFn = void (*)(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y);

void f32_maxpool_nhwc_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y);
void f32_maxpool_nhwc_avx2(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y);
void f32_maxpool_nhwc_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y);
void f32_maxpool_nhwc_neon(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y);

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

}  // namespace convkit
