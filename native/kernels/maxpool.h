// Max-pool micro-kernel over an indirection list of window taps.
#pragma once
#include <cstddef>

namespace convkit {

// y[j] = max over t < taps of inputs[t][j], for j < c. A NaN in any tap gives NaN, as numpy's
// max does; no taps gives -infinity (the op's caller rejects such windows before this).
void f32_maxpool_nhwc_scalar(size_t taps, const float* const* inputs, size_t c, float* y);

}  // namespace convkit
