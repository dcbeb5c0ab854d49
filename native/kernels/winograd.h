// Winograd F(2x2, 3x3) transform kernels (ops/winograd.h runs the algorithm): the input transform
// V = B^T d B and the output transform Y = A^T M A, each ISA's in kernels.json's list. They only
// add and subtract, so every ISA's give the same bits.
#pragma once
#include <cstddef>

namespace convkit {

// An NHWC convolution's sizes as the transforms need them: input n x h x w x c, top and left
// padding, output oh x ow x oc. Tile t (2x2 output pixels) is image t / (th * tw), tile row
// t % (th * tw) / tw, tile column t % tw, with th = ceil(oh / 2) and tw = ceil(ow / 2).
struct WinogradGeometry {
  size_t n, h, w, c;
  size_t pt, pl;
  size_t oh, ow, oc;
};

// Tiles [t0, t0 + len) of x into V: 16 planes of `plane` floats, tile t at row t - t0 of each
// (c floats); zeros (c floats) stand in for pixels past the image.
using WinogradInputFn = void (*)(const WinogradGeometry& g, const float* x, const float* zeros, size_t t0,
                                 size_t len, size_t plane, float* v);
// Columns [0, cols) of M (16 planes of `plane` floats, tile t at row (t - t0) * ld) into y's
// channels [oc0, oc0 + cols) of tiles [t0, t0 + len), plus bias (or none), clamped to [minv,
// maxv] as the GEMM epilogue clamps (NaN passes); pixels past the output (an odd extent's last
// tile) go to sink.
using WinogradOutputFn = void (*)(const WinogradGeometry& g, const float* m, size_t plane, size_t ld, size_t t0,
                                  size_t len, size_t oc0, size_t cols, const float* bias, float minv, float maxv,
                                  float* sink, float* y);

struct WinogradTransforms {
  WinogradInputFn input;
  WinogradOutputFn output;
};

}  // namespace convkit
