// Max over the taps of one pooling window, channel by channel: the kernel for any CPU.
#include <algorithm>
#include <limits>

#include "kernels/maxpool.h"

namespace convkit {

void f32_maxpool_nhwc_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, float* y) {
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) {
    if (taps == 0) std::fill(y, y + c, -std::numeric_limits<float>::infinity());
    else MaxPoolChannels(taps, inputs, 0, c, y);
  }
}

}  // namespace convkit
