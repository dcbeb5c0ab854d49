#include "ops/indirection.h"

namespace convkit {

void IndirectionNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                     const float* zeros, size_t row0, size_t rows, size_t mr, const float** ind) {
  const size_t taps = win.kh * win.kw;
  for (size_t r0 = 0; r0 < rows; r0 += mr, ind += taps * mr) {
    for (size_t i = 0; i < mr; i++) {
      const size_t r = row0 + (r0 + i < rows ? r0 + i : rows - 1);
      const size_t b = r / (oh * ow), oy = r / ow % oh, ox = r % ow;
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
    }
  }
}

}  // namespace convkit
