// The indirection buffer of an indirect-GEMM convolution (XNNPACK's igemm): for each output pixel
// and window tap, a pointer to the input pixel's channels, or to a zero vector in the padding.
#pragma once
#include <cstddef>

#include "ops/window.h"

namespace convkit {

// Output rows [row0, row0 + rows) in tiles of mr: tile t, tap k (ky * kw + kx), row i at
// ind[(t * taps + k) * mr + i]. Rows past `rows` in the last tile repeat its last row.
void IndirectionNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                     const float* zeros, size_t row0, size_t rows, size_t mr, const float** ind);

}  // namespace convkit
