// Shapes shared by the windowed ops (conv2d, im2col, maxpool2d). All NHWC.
#pragma once
#include <cstddef>

namespace convkit {

struct Nhwc {
  size_t n, h, w, c;
};

// A 2-D sliding window: size, stride, dilation and padding (top, bottom, left, right).
struct Window2D {
  size_t kh, kw, sh, sw, dh, dw, pt, pb, pl, pr;
};

// Output extent along one axis: floor((in + pad_begin + pad_end - effective_kernel) / stride) + 1,
// or 0 when the window does not fit. Mirrors outputExtent() in lib/shape.ts.
inline size_t OutputExtent(size_t in, size_t k, size_t s, size_t d, size_t pad_begin,
                           size_t pad_end) {
  const size_t effective = (k - 1) * d + 1;
  const size_t padded = in + pad_begin + pad_end;
  return padded < effective ? 0 : (padded - effective) / s + 1;
}

// True when every window along one axis holds at least one real cell (dilated taps can step over
// all of them). Mirrors firstEmptyWindow() in lib/shape.ts.
inline bool EveryWindowReal(size_t in, size_t k, size_t s, size_t d, size_t pad_begin, size_t out) {
  // O(1) per window (its first tap at or after cell 0), so huge kernels or pads cannot stall.
  for (size_t o = 0; o < out; o++) {
    const size_t start = o * s;
    const size_t t = start >= pad_begin ? 0 : (pad_begin - start + d - 1) / d;
    if (t >= k || start + t * d - pad_begin >= in) return false;
  }
  return true;
}

}  // namespace convkit
