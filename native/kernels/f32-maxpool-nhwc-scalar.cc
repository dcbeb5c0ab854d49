// Max over the taps of one pooling window, channel by channel: the kernel for any CPU.
#include <limits>

#include "kernels/maxpool.h"

namespace convkit {

void f32_maxpool_nhwc_scalar(size_t taps, const float* const* inputs, size_t c, float* y) {
  if (taps == 0) {
    for (size_t j = 0; j < c; j++) y[j] = -std::numeric_limits<float>::infinity();
    return;
  }
  MaxPoolChannels(taps, inputs, 0, c, y);
}

}  // namespace convkit
