// The Winograd transform kernels (kernels/winograd.h), written once over a vector of channels V
// (GCC/clang vector extensions) and compiled per ISA: 4 floats in f32-winograd-scalar.cc (SSE2
// on x86-64, NEON on AArch64), 8 in f32-winograd-avx2.cc and 16 in f32-winograd-avx512f.cc, each
// under its target pragma. Include only from those files. Everything here is static: each file's
// copies are its own, so no AVX-512 code can stand in for the portable build's at link time.
#pragma once
#include <cstddef>
#include <cstring>

#include "kernels/vector-load-store.h"

#include "kernels/winograd.h"

namespace convkit {

namespace winograd_transforms {

using vector_io::Load;
using vector_io::Store;

// V = B^T d B at channel ch (one vector of channels) of one tile: d[r][q] points at the channels
// of the tile's input pixel (r, q). Element e = 4i + j goes to v[e * plane + ch].
template <typename V>
static inline void InputChannels(const float* const d[4][4], size_t ch, float* v, size_t plane) {
  V t[4][4];  // B^T d: rows combined
  for (size_t q = 0; q < 4; q++) {
    const V d0 = Load<V>(d[0][q] + ch), d1 = Load<V>(d[1][q] + ch), d2 = Load<V>(d[2][q] + ch),
            d3 = Load<V>(d[3][q] + ch);
    t[0][q] = d0 - d2;
    t[1][q] = d1 + d2;
    t[2][q] = d2 - d1;
    t[3][q] = d1 - d3;
  }
  for (size_t i = 0; i < 4; i++) {  // (B^T d) B: columns combined
    float* row = v + 4 * i * plane + ch;
    Store(row, t[i][0] - t[i][2]);
    Store(row + plane, t[i][1] + t[i][2]);
    Store(row + 2 * plane, t[i][2] - t[i][1]);
    Store(row + 3 * plane, t[i][1] - t[i][3]);
  }
}

// Y = A^T M A at column j (one vector of columns) of one tile's M, plus bias, clamped, into
// out[r][q] + j.
template <typename V>
static inline void OutputChannels(const float* mt, size_t plane, size_t j, const float* bias, float minv,
                                  float maxv, float* const out[2][2]) {
  V e[16];
  for (size_t k = 0; k < 16; k++) e[k] = Load<V>(mt + k * plane + j);
  V s0[4], s1[4];  // A^T M: rows combined
  for (size_t q = 0; q < 4; q++) {
    s0[q] = e[q] + e[4 + q] + e[8 + q];
    s1[q] = e[4 + q] - e[8 + q] - e[12 + q];
  }
  const V add = bias ? Load<V>(bias + j) : V{} * 0.0f;
  const V o[2][2] = {{s0[0] + s0[1] + s0[2] + add, s0[1] - s0[2] - s0[3] + add},
                     {s1[0] + s1[1] + s1[2] + add, s1[1] - s1[2] - s1[3] + add}};
  const V lo = V{} + minv, hi = V{} + maxv;
  for (size_t r = 0; r < 2; r++)
    for (size_t q = 0; q < 2; q++) {
      V v = o[r][q];
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      Store(out[r][q] + j, v);
    }
}

// Where tile t is: image b, tile row ty, tile column tx.
struct TilePos {
  size_t b, ty, tx;
  TilePos(const WinogradGeometry& s, size_t t) {
    const size_t tiles_w = (s.ow + 1) / 2, per_image = (s.oh + 1) / 2 * tiles_w;
    b = t / per_image;
    ty = t % per_image / tiles_w;
    tx = t % tiles_w;
  }
};

template <typename V>
static void Input(const WinogradGeometry& s, const float* x, const float* zeros, size_t t0, size_t len, size_t plane,
                  float* v) {
  const size_t c = s.c, width = sizeof(V) / sizeof(float);
  const ptrdiff_t h = ptrdiff_t(s.h), w = ptrdiff_t(s.w);
  for (size_t i = 0; i < len; i++) {
    const TilePos p(s, t0 + i);
    const ptrdiff_t iy0 = ptrdiff_t(2 * p.ty) - ptrdiff_t(s.pt), ix0 = ptrdiff_t(2 * p.tx) - ptrdiff_t(s.pl);
    const float* image = x + p.b * s.h * s.w * c;
    const float* d[4][4];
    for (ptrdiff_t r = 0; r < 4; r++)
      for (ptrdiff_t q = 0; q < 4; q++) {
        const ptrdiff_t iy = iy0 + r, ix = ix0 + q;
        d[r][q] = iy >= 0 && iy < h && ix >= 0 && ix < w ? image + (iy * w + ix) * ptrdiff_t(c) : zeros;
      }
    size_t ch = 0;
    for (; ch + width <= c; ch += width) InputChannels<V>(d, ch, v + i * c, plane);
    for (; ch < c; ch++) InputChannels<float>(d, ch, v + i * c, plane);
  }
}

template <typename V>
static void Output(const WinogradGeometry& s, const float* m, size_t plane, size_t ld, size_t t0, size_t len,
                   size_t oc0, size_t cols, const float* bias, float minv, float maxv, float* sink, float* y) {
  const size_t width = sizeof(V) / sizeof(float);
  if (bias) bias += oc0;
  for (size_t i = 0; i < len; i++) {
    const TilePos p(s, t0 + i);
    float* out[2][2];
    for (size_t r = 0; r < 2; r++)
      for (size_t q = 0; q < 2; q++) {
        const size_t oy = 2 * p.ty + r, ox = 2 * p.tx + q;
        out[r][q] = oy < s.oh && ox < s.ow ? y + ((p.b * s.oh + oy) * s.ow + ox) * s.oc + oc0 : sink;
      }
    const float* mt = m + i * ld;
    size_t j = 0;
    for (; j + width <= cols; j += width) OutputChannels<V>(mt, plane, j, bias, minv, maxv, out);
    for (; j < cols; j++) OutputChannels<float>(mt, plane, j, bias, minv, maxv, out);
  }
}

}  // namespace winograd_transforms
}  // namespace convkit
