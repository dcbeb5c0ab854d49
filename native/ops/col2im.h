// The adjoint of im2col (ops/im2col.h): each column entry added back into the input cell it was
// read from, for the input gradient of a convolution.
#pragma once
#include "ops/window.h"

namespace convkit {

// Adds rows [row0, row0 + rows) of the im2col-shaped matrix cols (rows x kh*kw*c, cols points
// at row row0) into dx (NHWC, in's shape). Taps on padding are skipped. Rows are visited in
// order and a row's taps in (ky, kx) order, so every cell's sum has an order fixed by the shape;
// two calls may run at once only on rows of different images.
void Col2imNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* cols,
                size_t row0, size_t rows, float* dx);

}  // namespace convkit
