// Shapes shared by the windowed ops (conv2d, im2col, maxpool2d). All NHWC.
#pragma once
#include <cstddef>
#include <vector>

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

// An output pixel (image b, row oy, column ox) that walks the output's rows in order: one division
// where a run of rows starts, instead of three per row (as much as a small window's work).
struct OutputPixel {
  OutputPixel(size_t row, size_t oh, size_t ow) : b(row / (oh * ow)), oy(row / ow % oh), ox(row % ow) {}
  void Next(size_t oh, size_t ow) {
    if (++ox < ow) return;
    ox = 0;
    if (++oy == oh) oy = 0, b++;
  }
  size_t b, oy, ox;
};

// A window's taps in an NHWC image: its top-left cell (negative above or left of the image when
// padded) and each tap's offset in floats from that cell, so that a window wholly inside the
// image (all but the padded edges) is its corner plus the offsets, with no bounds test per tap.
struct WindowTaps {
  WindowTaps(const Nhwc& in, const Window2D& win)
      : win(win), h(long(in.h)), w(long(in.w)), c(long(in.c)), span_y(long((win.kh - 1) * win.dh)),
        span_x(long((win.kw - 1) * win.dw)), offsets(win.kh * win.kw) {
    for (size_t ky = 0; ky < win.kh; ky++)
      for (size_t kx = 0; kx < win.kw; kx++)
        offsets[ky * win.kw + kx] = (long(ky * win.dh) * w + long(kx * win.dw)) * c;
  }
  long Top(size_t oy) const { return long(oy * win.sh) - long(win.pt); }
  long Left(size_t ox) const { return long(ox * win.sw) - long(win.pl); }
  bool Inside(long y0, long x0) const { return y0 >= 0 && y0 + span_y < h && x0 >= 0 && x0 + span_x < w; }
  bool Real(long iy, long ix) const { return iy >= 0 && iy < h && ix >= 0 && ix < w; }
  const float* Cell(const float* image, long iy, long ix) const { return image + (iy * w + ix) * c; }

  // Lists the taps of the window whose corner is (y0, x0) in `image`; returns how many it wrote:
  // every tap, a padding one as `pad`, or only the real ones when pad is null.
  size_t List(const float* image, long y0, long x0, const float* pad, const float** taps) const {
    if (Inside(y0, x0)) {
      const float* corner = Cell(image, y0, x0);
      for (size_t k = 0; k < offsets.size(); k++) taps[k] = corner + offsets[k];
      return offsets.size();
    }
    size_t count = 0;
    for (size_t ky = 0; ky < win.kh; ky++)
      for (size_t kx = 0; kx < win.kw; kx++) {
        const long iy = y0 + long(ky * win.dh), ix = x0 + long(kx * win.dw);
        if (Real(iy, ix)) taps[count++] = Cell(image, iy, ix);
        else if (pad) taps[count++] = pad;
      }
    return count;
  }

  Window2D win;
  long h, w, c, span_y, span_x;
  std::vector<long> offsets;
};

}  // namespace convkit
