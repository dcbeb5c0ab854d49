// Expands conv windows into rows of a matrix (the A of the conv GEMM).
#pragma once
#include "ops/window.h"

namespace convkit {

// Writes output rows [row0, row0 + rows) of the im2col matrix of x. Row r is output pixel
// (n, oy, ox) in NHWC order; its K = kh*kw*c columns are the window taps in (ky, kx, c) order,
// which is the row order of an HWIO kernel. Taps in the padding are 0.
void Im2colNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                size_t row0, size_t rows, float* out);

}  // namespace convkit
