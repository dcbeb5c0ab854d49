// Expands conv windows into rows of a matrix (the A of the conv GEMM).
#pragma once
#include <algorithm>

#include "ops/window.h"

namespace convkit {

// Writes output rows [row0, row0 + rows) of the im2col matrix of x. Row r is output pixel
// (n, oy, ox) in NHWC order; its K = kh*kw*c columns are the window taps in (ky, kx, c) order,
// which is the row order of an HWIO kernel. Taps in the padding are 0. With cc > 0 a tap is
// channels [c0, c0 + cc) of its pixel (a grouped convolution's group): K = kh*kw*cc.
void Im2colNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                size_t row0, size_t rows, float* out, size_t c0 = 0, size_t cc = 0);

// The taps [*kx0, *kx1) of a window row starting at column x0 (negative in the left padding)
// that land on real columns: 0 <= x0 + kx * win.dw < width. Empty (kx0 == kx1) when none do.
inline void RealColumns(long x0, const Window2D& win, size_t width, long* kx0, long* kx1) {
  const long dw = long(win.dw), kw = long(win.kw), w = long(width);
  *kx0 = x0 >= 0 ? 0 : std::min(kw, (-x0 + dw - 1) / dw);
  *kx1 = x0 >= w ? *kx0 : std::max(*kx0, std::min(kw, (w - x0 + dw - 1) / dw));
}

}  // namespace convkit
