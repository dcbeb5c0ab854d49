// Max or average over the taps of one pooling window, channel by channel: the kernel for any CPU.
// The average keeps 16 channels in four 4-float vectors (GCC/clang vector extensions: SSE2 on
// x86-64, NEON on AArch64) across the taps, as the wide kernels do.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/maxpool.h"

namespace convkit {
namespace {

typedef float F32x4 __attribute__((vector_size(16)));

inline F32x4 Load4(const float* p) {
  F32x4 v;
  std::memcpy(&v, p, 16);
  return v;
}

inline void Store4(float* p, F32x4 v) { std::memcpy(p, &v, 16); }

// One window's average, 16 channels at a time, then one at a time.
inline void AvgPixel(size_t taps, const float* const* inputs, size_t c, float divisor, float* y) {
  const F32x4 vd = {divisor, divisor, divisor, divisor};
  size_t j = 0;
  for (; j + 16 <= c; j += 16) {
    const float* i0 = inputs[0] + j;
    F32x4 vacc0 = Load4(i0), vacc1 = Load4(i0 + 4), vacc2 = Load4(i0 + 8), vacc3 = Load4(i0 + 12);
    for (size_t t = 1; t < taps; t++) {
      const float* it = inputs[t] + j;
      vacc0 += Load4(it);
      vacc1 += Load4(it + 4);
      vacc2 += Load4(it + 8);
      vacc3 += Load4(it + 12);
    }
    Store4(y + j, vacc0 / vd);
    Store4(y + j + 4, vacc1 / vd);
    Store4(y + j + 8, vacc2 / vd);
    Store4(y + j + 12, vacc3 / vd);
  }
  AvgPoolChannels(taps, inputs, j, c, divisor, y);
}

}  // namespace

void f32_maxpool_nhwc_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, const float* divisors, float* y) {
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) {
    if (divisors) AvgPixel(taps, inputs, c, divisors[p], y);
    else if (taps == 0) std::fill(y, y + c, -std::numeric_limits<float>::infinity());
    else MaxPoolChannels(taps, inputs, 0, c, y);
  }
}

}  // namespace convkit
