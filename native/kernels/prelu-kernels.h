// The PReLU kernels (kernels/prelu.h), written once over a vector V of W floats, its halves H
// and their float64 form D (GCC/clang vector extensions), compiled per ISA: 4 in
// f32-prelu-scalar.cc (SSE2 on x86-64, NEON on AArch64), 8 in f32-prelu-avx2.cc, 16 in
// f32-prelu-avx512f.cc, each under its target pragma. Channels past the last whole vector take
// the same operations one float at a time. Include only from those files: everything is static.
#pragma once
#include <cstddef>

#include "kernels/prelu.h"
#include "kernels/vector-load-store.h"

// Products and sums each rounded: no fused multiply-add on one ISA and not on another.
#pragma GCC optimize("fp-contract=off")

namespace convkit {
namespace prelu_kernels {

using vector_io::Load;
using vector_io::Store;

template <typename V, size_t W>
static void Forward(size_t rows, size_t c, const float* x, const float* alpha, float* y) {
  const V vzero = {};
  for (size_t r = 0; r < rows; r++, x += c, y += c) {
    size_t j = 0;
    for (; j + W <= c; j += W) {
      const V vx = Load<V>(x + j);
      Store(y + j, vx > vzero ? vx : vx * Load<V>(alpha + j));
    }
    for (; j < c; j++) y[j] = x[j] > 0 ? x[j] : x[j] * alpha[j];
  }
}

// dx[r][j] and the float64 sum of dy * x where x <= 0, each as two halves of W / 2 doubles.
template <typename H, typename D, size_t W>
static inline void HalfGrad(const float* px, const float* pdy, const float* pa, float* pdx, D* vacc) {
  const H vx = Load<H>(px), vdy = Load<H>(pdy), vzero = {};
  Store(pdx, vx > vzero ? vdy : vdy * Load<H>(pa));
  const D dx = __builtin_convertvector(vx, D), ddy = __builtin_convertvector(vdy, D), dzero = {};
  *vacc += ddy * (dx > dzero ? dzero : dx);
}

// One vector of channels down the rows, its two float64 sums in registers.
template <typename H, typename D, size_t W>
static void Backward(size_t rows, size_t c, const float* x, const float* dy, const float* alpha, float* dx,
                     double* dalpha) {
  constexpr size_t half = W / 2;
  size_t j = 0;
  for (; j + W <= c; j += W) {
    D vacc0 = {}, vacc1 = {};
    const float* px = x + j;
    const float* pdy = dy + j;
    float* pdx = dx + j;
    for (size_t r = 0; r < rows; r++, px += c, pdy += c, pdx += c) {
      HalfGrad<H, D, W>(px, pdy, alpha + j, pdx, &vacc0);
      HalfGrad<H, D, W>(px + half, pdy + half, alpha + j + half, pdx + half, &vacc1);
    }
    for (size_t i = 0; i < half; i++) dalpha[j + i] = vacc0[i], dalpha[j + half + i] = vacc1[i];
  }
  for (; j < c; j++) {
    double acc = 0;
    for (size_t r = 0; r < rows; r++) {
      const float v = x[r * c + j], g = dy[r * c + j];
      dx[r * c + j] = v > 0 ? g : g * alpha[j];
      acc += double(g) * (v > 0 ? 0.0 : double(v));
    }
    dalpha[j] = acc;
  }
}

}  // namespace prelu_kernels
}  // namespace convkit
