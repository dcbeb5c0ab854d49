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
  for (size_t o = 0; o < out; o++) {
    bool real = false;
    for (size_t t = 0; t < k && !real; t++) {
      const long i = long(o * s) - long(pad_begin) + long(t * d);
      real = i >= 0 && i < long(in);
    }
    if (!real) return false;
  }
  return true;
}

}  // namespace convkit
