#include "ops/col2im.h"

#include "ops/im2col.h"

namespace convkit {

void Col2imNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* cols,
                size_t row0, size_t rows, float* dx) {
  const long c = long(in.c), h = long(in.h), w = long(in.w), k = long(win.kh * win.kw) * c;
  OutputPixel px(row0, oh, ow);
  for (size_t r = 0; r < rows; r++, cols += k, px.Next(oh, ow)) {
    float* image = dx + px.b * in.h * in.w * in.c;
    const long x0 = long(px.ox * win.sw) - long(win.pl), dw = long(win.dw);
    long kx0, kx1;
    RealColumns(x0, win, in.w, &kx0, &kx1);
    if (kx0 >= kx1) continue;
    for (size_t ky = 0; ky < win.kh; ky++) {
      const long iy = long(px.oy * win.sh) - long(win.pt) + long(ky * win.dh);
      if (iy < 0 || iy >= h) continue;
      const float* src = cols + (long(ky * win.kw) + kx0) * c;
      float* dst = image + (iy * w + x0 + kx0 * dw) * c;
      if (dw == 1) {
        // The row's real taps are one run, contiguous in dx as in cols.
        const long len = (kx1 - kx0) * c;
        for (long i = 0; i < len; i++) dst[i] += src[i];
      } else {
        for (long kx = kx0; kx < kx1; kx++, src += c, dst += dw * c)
          for (long i = 0; i < c; i++) dst[i] += src[i];
      }
    }
  }
}

}  // namespace convkit
