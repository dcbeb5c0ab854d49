#include "ops/indirection.h"

namespace convkit {

void IndirectionNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                     const float* zeros, size_t row0, size_t rows, size_t mr, const float** ind) {
  const size_t taps = win.kh * win.kw;
  // The output pixel (image b, oy, ox) of row `row` advances with it: one division per call
  // instead of three per row, which cost as much as the pointers themselves.
  size_t b = row0 / (oh * ow), oy = row0 / ow % oh, ox = row0 % ow;
  for (size_t r0 = 0; r0 < rows; r0 += mr, ind += taps * mr) {
    for (size_t i = 0; i < mr; i++) {
      const float* image = x + b * in.h * in.w * in.c;
      for (size_t ky = 0; ky < win.kh; ky++) {
        // Signed arithmetic: the window starts above/left of the image when padded.
        const long iy = long(oy * win.sh) - long(win.pt) + long(ky * win.dh);
        for (size_t kx = 0; kx < win.kw; kx++) {
          const long ix = long(ox * win.sw) - long(win.pl) + long(kx * win.dw);
          const bool inside = iy >= 0 && iy < long(in.h) && ix >= 0 && ix < long(in.w);
          ind[(ky * win.kw + kx) * mr + i] = inside ? image + (size_t(iy) * in.w + size_t(ix)) * in.c : zeros;
        }
      }
      // Rows past `rows` in the last tile repeat its last row: the pixel stays put.
      if (r0 + i + 1 >= rows) continue;
      if (++ox == ow) {
        ox = 0;
        if (++oy == oh) oy = 0, b++;
      }
    }
  }
}

}  // namespace convkit
