// Dense (fully connected): y[m, n] = act(x[m, :] . W[:, n] + bias[n]), W packed by PackWeights.
#pragma once
#include <cstddef>

#include "kernels/activation.h"

namespace convkit {

void DenseForward(size_t m, size_t k, size_t n, const float* x, const float* packed_w,
                  const float* bias, Activation act, float* y);

}  // namespace convkit
