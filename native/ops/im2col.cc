#include "ops/im2col.h"

namespace convkit {

void Im2colNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                size_t row0, size_t rows, float* out, size_t c0, size_t cc) {
  // c: floats per tap; pixels stay in.c floats apart. A group's taps are slices of their pixels.
  const long stride = long(in.c), c = cc ? long(cc) : stride, row = long(win.kw) * c, dw = long(win.dw);
  x += c0;
  OutputPixel px(row0, oh, ow);
  for (size_t r = 0; r < rows; r++, px.Next(oh, ow)) {
    const float* image = x + px.b * in.h * in.w * in.c;
    // Signed arithmetic: the window starts above/left of the image when padded.
    const long x0 = long(px.ox * win.sw) - long(win.pl);
    long kx0, kx1;
    RealColumns(x0, win, in.w, &kx0, &kx1);
    for (size_t ky = 0; ky < win.kh; ky++, out += row) {
      const long iy = long(px.oy * win.sh) - long(win.pt) + long(ky * win.dh);
      if (iy < 0 || iy >= long(in.h) || kx0 == kx1) {
        std::fill(out, out + row, 0.0f);
        continue;
      }
      // Zeros for the taps in the padding on either side; the real ones copied, one run for the
      // whole window row when undilated (a tap of few channels is too short for a call each).
      std::fill(out, out + kx0 * c, 0.0f);
      const float* src = image + (iy * long(in.w) + x0 + kx0 * dw) * stride;
      if (dw == 1 && c == stride) {
        std::copy(src, src + (kx1 - kx0) * c, out + kx0 * c);
      } else {
        for (long kx = kx0; kx < kx1; kx++, src += dw * stride) std::copy(src, src + c, out + kx * c);
      }
      std::fill(out + kx1 * c, out + row, 0.0f);
    }
  }
}

}  // namespace convkit
