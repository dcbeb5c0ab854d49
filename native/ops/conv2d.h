// Conv2D, NHWC input, HWIO weights packed by PackWeights (K = kh*kw*c rows, oc columns).
#pragma once
#include "kernels/activation.h"
#include "ops/window.h"

namespace convkit {

struct Conv2DShape {
  Nhwc in;
  Window2D win;
  size_t oh, ow, oc;  // checked by the caller to match OutputExtent
};

// y[n, oy, ox, oc] = act(bias[oc] + sum over taps). bias may be null. The im2col matrix is
// expanded a bounded segment at a time per thread, never whole; 1x1 stride-1 unpadded
// convolutions read x as the matrix directly.
void Conv2DNhwc(const Conv2DShape& s, const float* x, const float* packed_w, const float* bias,
                Activation act, float* y);

}  // namespace convkit
