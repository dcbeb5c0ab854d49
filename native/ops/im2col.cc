#include "ops/im2col.h"

#include <cstring>

namespace convkit {

void Im2colNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                size_t row0, size_t rows, float* out) {
  const size_t c = in.c;
  for (size_t r = row0; r < row0 + rows; r++) {
    const size_t b = r / (oh * ow), oy = r / ow % oh, ox = r % ow;
    const float* image = x + b * in.h * in.w * c;
    for (size_t ky = 0; ky < win.kh; ky++) {
      // Signed arithmetic: the window starts above/left of the image when padded.
      const long iy = long(oy * win.sh) - long(win.pt) + long(ky * win.dh);
      for (size_t kx = 0; kx < win.kw; kx++, out += c) {
        const long ix = long(ox * win.sw) - long(win.pl) + long(kx * win.dw);
        if (iy < 0 || iy >= long(in.h) || ix < 0 || ix >= long(in.w)) {
          std::memset(out, 0, c * sizeof(float));
        } else {
          std::memcpy(out, image + (size_t(iy) * in.w + size_t(ix)) * c, c * sizeof(float));
        }
      }
    }
  }
}

}  // namespace convkit
