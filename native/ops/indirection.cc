#include "ops/indirection.h"

namespace convkit {

void IndirectionNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                     const float* zeros, size_t row0, size_t rows, size_t mr, const float** ind) {
  // For few channels (a first layer) building the buffer costs as much as the GEMM: interior
  // windows take their taps from the offsets, and the pixel walks without divisions.
  const size_t taps = win.kh * win.kw;
  const WindowTaps geo(in, win);
  OutputPixel px(row0, oh, ow);
  for (size_t r0 = 0; r0 < rows; r0 += mr, ind += taps * mr) {
    for (size_t i = 0; i < mr; i++) {
      const float* image = x + px.b * in.h * in.w * in.c;
      const long y0 = geo.Top(px.oy), x0 = geo.Left(px.ox);
      if (geo.Inside(y0, x0)) {
        const float* corner = geo.Cell(image, y0, x0);
        for (size_t t = 0; t < taps; t++) ind[t * mr + i] = corner + geo.offsets[t];
      } else {
        for (size_t ky = 0; ky < win.kh; ky++) {
          const long iy = y0 + long(ky * win.dh);
          for (size_t kx = 0; kx < win.kw; kx++) {
            const long ix = x0 + long(kx * win.dw);
            ind[(ky * win.kw + kx) * mr + i] = geo.Real(iy, ix) ? geo.Cell(image, iy, ix) : zeros;
          }
        }
      }
      // Rows past `rows` in the last tile repeat its last row: the pixel stays put.
      if (r0 + i + 1 < rows) px.Next(oh, ow);
    }
  }
}

}  // namespace convkit
