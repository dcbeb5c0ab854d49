// AArch64 NEON max-pool: 8 channels in two q registers held across all taps, one load per tap and
// register, one store per group of channels.
#include <arm_neon.h>

#include "kernels/maxpool.h"

namespace convkit {
namespace {

// (v > m || v != v) ? v : m, lane by lane: the scalar kernel's rule, bit for bit (FMAX would
// also give NaN, but turns a -0 kept against +0 into +0).
inline float32x4_t MaxKeepNan(float32x4_t m, float32x4_t v) {
  const uint32x4_t take = vorrq_u32(vcgtq_f32(v, m), vmvnq_u32(vceqq_f32(v, v)));
  return vbslq_f32(take, v, m);
}

}  // namespace

namespace {

// One window: its max over taps, channel group by channel group.
inline void PoolPixel(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, y);
  size_t j = 0;
  for (; j + 8 <= c; j += 8) {
    float32x4_t m0 = vld1q_f32(inputs[0] + j), m1 = vld1q_f32(inputs[0] + j + 4);
    for (size_t t = 1; t < taps; t++) {
      m0 = MaxKeepNan(m0, vld1q_f32(inputs[t] + j));
      m1 = MaxKeepNan(m1, vld1q_f32(inputs[t] + j + 4));
    }
    vst1q_f32(y + j, m0);
    vst1q_f32(y + j + 4, m1);
  }
  if (j + 4 <= c) {
    float32x4_t m = vld1q_f32(inputs[0] + j);
    for (size_t t = 1; t < taps; t++) m = MaxKeepNan(m, vld1q_f32(inputs[t] + j));
    vst1q_f32(y + j, m);
    j += 4;
  }
  MaxPoolChannels(taps, inputs, j, c, y);
}

}  // namespace

void f32_maxpool_nhwc_neon(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y) {
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
