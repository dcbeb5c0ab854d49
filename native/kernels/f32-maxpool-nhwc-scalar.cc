// Max over the taps of one pooling window, vectorised along channels by the compiler.
#include "kernels/maxpool.h"

#include <cstring>
#include <limits>

namespace convkit {

void f32_maxpool_nhwc_scalar(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) {
    for (size_t j = 0; j < c; j++) y[j] = -std::numeric_limits<float>::infinity();
    return;
  }
  std::memcpy(y, inputs[0], c * sizeof(float));
  for (size_t t = 1; t < taps; t++) {
    const float* in = inputs[t];
    for (size_t j = 0; j < c; j++) {
      const float v = in[j], m = y[j];
      y[j] = (v > m || v != v) ? v : m;
    }
  }
}

}  // namespace convkit
