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
  if (taps == 0) return f32_maxpool_nhwc_scalar(1, taps, inputs, c, nullptr, y);
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

// One window's average: 16 channels in four q registers across the taps (four add chains in
// flight), then 4, then one at a time.
inline void AvgPixel(size_t taps, const float* const* inputs, size_t c, float divisor, float* y) {
  const float32x4_t vd = vdupq_n_f32(divisor);
  size_t j = 0;
  for (; j + 16 <= c; j += 16) {
    const float* i0 = inputs[0] + j;
    float32x4_t vacc0 = vld1q_f32(i0), vacc1 = vld1q_f32(i0 + 4), vacc2 = vld1q_f32(i0 + 8), vacc3 = vld1q_f32(i0 + 12);
    for (size_t t = 1; t < taps; t++) {
      const float* it = inputs[t] + j;
      vacc0 = vaddq_f32(vacc0, vld1q_f32(it));
      vacc1 = vaddq_f32(vacc1, vld1q_f32(it + 4));
      vacc2 = vaddq_f32(vacc2, vld1q_f32(it + 8));
      vacc3 = vaddq_f32(vacc3, vld1q_f32(it + 12));
    }
    vst1q_f32(y + j, vdivq_f32(vacc0, vd));
    vst1q_f32(y + j + 4, vdivq_f32(vacc1, vd));
    vst1q_f32(y + j + 8, vdivq_f32(vacc2, vd));
    vst1q_f32(y + j + 12, vdivq_f32(vacc3, vd));
  }
  for (; j + 4 <= c; j += 4) {
    float32x4_t vacc = vld1q_f32(inputs[0] + j);
    for (size_t t = 1; t < taps; t++) vacc = vaddq_f32(vacc, vld1q_f32(inputs[t] + j));
    vst1q_f32(y + j, vdivq_f32(vacc, vd));
  }
  AvgPoolChannels(taps, inputs, j, c, divisor, y);
}

}  // namespace

void f32_maxpool_nhwc_neon(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y) {
  if (divisors) {
    for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) AvgPixel(taps, inputs, c, divisors[p], y);
    return;
  }
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) PoolPixel(taps, inputs, c, y);
}

}  // namespace convkit
