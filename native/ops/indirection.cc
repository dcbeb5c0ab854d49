#include "ops/indirection.h"

#include <vector>

namespace convkit {

void IndirectionNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                     const float* zeros, size_t row0, size_t rows, size_t mr, const float** ind) {
  const size_t taps = win.kh * win.kw;
  const long h = long(in.h), w = long(in.w), span_y = long((win.kh - 1) * win.dh),
             span_x = long((win.kw - 1) * win.dw);
  // Each tap's offset from the window's top-left cell: a window wholly inside the image (most of
  // them) is that cell's address plus these, with no bounds test per tap. For few channels (a
  // first layer) the buffer costs as much as the GEMM, so this is most of such a convolution.
  std::vector<long> offsets(taps);
  for (size_t ky = 0; ky < win.kh; ky++)
    for (size_t kx = 0; kx < win.kw; kx++)
      offsets[ky * win.kw + kx] = (long(ky * win.dh) * w + long(kx * win.dw)) * long(in.c);
  // The output pixel (image b, oy, ox) advances with the row: one division per call instead of
  // three per row.
  size_t b = row0 / (oh * ow), oy = row0 / ow % oh, ox = row0 % ow;
  for (size_t r0 = 0; r0 < rows; r0 += mr, ind += taps * mr) {
    for (size_t i = 0; i < mr; i++) {
      const float* image = x + b * in.h * in.w * in.c;
      // Signed arithmetic: the window starts above/left of the image when padded.
      const long y0 = long(oy * win.sh) - long(win.pt), x0 = long(ox * win.sw) - long(win.pl);
      if (y0 >= 0 && y0 + span_y < h && x0 >= 0 && x0 + span_x < w) {
        const float* corner = image + (y0 * w + x0) * long(in.c);
        for (size_t t = 0; t < taps; t++) ind[t * mr + i] = corner + offsets[t];
      } else {
        for (size_t ky = 0; ky < win.kh; ky++) {
          const long iy = y0 + long(ky * win.dh);
          for (size_t kx = 0; kx < win.kw; kx++) {
            const long ix = x0 + long(kx * win.dw);
            const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            ind[(ky * win.kw + kx) * mr + i] = inside ? image + (iy * w + ix) * long(in.c) : zeros;
          }
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
