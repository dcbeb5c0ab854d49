// Depthwise convolution micro-kernels over an indirection list of window taps, one per ISA
// (kernels.json "dwconv", chosen with the ISA's other kernels in cpu-features.cc).
#pragma once
#include <cstddef>

#include "generated/kernels.h"

namespace convkit {

// For each of `pixels` output pixels p and output channel o < c:
//   y[p * c + o] = clamp(bias[o] + sum over t < taps of inputs[p * taps + t][o / m] * w(t, o))
// in the order of the taps (one fused or unfused multiply-add per tap, bias first; 0 without
// bias), to [minv, maxv]. A padding tap points at a vector of zeros as long as the input's
// channels. w holds the taps x c kernel in panels of kGemmNR channels (PackWeights: panel
// j / 16 at j / 16 * taps * 16, tap t's 16 floats at t * 16 in it), zero past c.
using DwconvFn = void (*)(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                          const float* w, const float* bias, float minv, float maxv, float* y);

void f32_dwconv_4_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                         const float* w, const float* bias, float minv, float maxv, float* y);
void f32_dwconv_16_avx2_fma(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                            const float* w, const float* bias, float minv, float maxv, float* y);
void f32_dwconv_32_avx512f(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                           const float* w, const float* bias, float minv, float maxv, float* y);

// Output channels [o0, c) of one pixel one at a time: the vector kernels' tail, and every channel
// when the multiplier m is above 1 (an output channel then reads input channel o / m, which no
// contiguous vector load gives).
inline void DwconvChannels(size_t taps, const float* const* inputs, size_t o0, size_t c, size_t m,
                           const float* w, const float* bias, float minv, float maxv, float* y) {
  for (size_t o = o0; o < c; o++) {
    const float* wo = w + o / kGemmNR * taps * kGemmNR + o % kGemmNR;
    const size_t ic = o / m;
    float acc = bias ? bias[o] : 0.0f;
    for (size_t t = 0; t < taps; t++) acc += inputs[t][ic] * wo[t * kGemmNR];
    acc = acc < minv ? minv : acc;
    y[o] = acc > maxv ? maxv : acc;
  }
}

// The kernels' start: every channel one at a time when m is above 1 (then true: done).
inline bool DwconvMultiplied(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                             const float* w, const float* bias, float minv, float maxv, float* y) {
  if (m == 1) return false;
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) DwconvChannels(taps, inputs, 0, c, m, w, bias, minv, maxv, y);
  return true;
}

}  // namespace convkit
