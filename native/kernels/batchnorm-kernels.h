// The batch-normalization kernels (kernels/batchnorm.h), written once over a vector of channels
// V of W floats (GCC/clang vector extensions) and compiled per ISA: 4 in f32-batchnorm-scalar.cc
// (SSE2 on x86-64, NEON on AArch64), 8 in f32-batchnorm-avx2.cc, 16 in f32-batchnorm-avx512f.cc,
// each under its target pragma. Channels past the last whole vector take the same operations one
// float at a time. Include only from those files: everything here is static.
#pragma once
#include <cstddef>
#include <cstring>

#include "kernels/vector-load-store.h"
#include <limits>

#include "kernels/batchnorm.h"

// A product then a sum, each rounded, on every ISA: gyp compiles as gnu++17, whose default lets
// GCC fuse them where the target has FMA (AVX-512 here), which would give that ISA other bits.
#pragma GCC optimize("fp-contract=off")

namespace convkit {
namespace batchnorm_kernels {

using vector_io::Load;
using vector_io::Store;

template <typename V, size_t W>
static void Affine(size_t rows, size_t c, const float* x, const float* s, const float* t, const float* x2,
                   const float* u, const float* s2, ClampRange clamp, float* y) {
  if (clamp.min > -std::numeric_limits<float>::infinity() || clamp.max < std::numeric_limits<float>::infinity()) {
    // relu's or relu6's clamp; a NaN compares false both ways and stays NaN.
    const float lo = clamp.min, hi = clamp.max;
    V vlo, vhi;
    for (size_t i = 0; i < W; i++) vlo[i] = lo, vhi[i] = hi;
    for (size_t r = 0; r < rows; r++, x += c, y += c) {
      size_t j = 0;
      for (; j + W <= c; j += W) {
        const V v = Load<V>(x + j) * Load<V>(s + j) + Load<V>(t + j);
        const V low = v < vlo ? vlo : v;
        Store(y + j, low > vhi ? vhi : low);
      }
      for (; j < c; j++) {
        const float v = x[j] * s[j] + t[j], low = v < lo ? lo : v;
        y[j] = low > hi ? hi : low;
      }
    }
    return;
  }
  if (!x2) {
    for (size_t r = 0; r < rows; r++, x += c, y += c) {
      size_t j = 0;
      for (; j + W <= c; j += W) Store(y + j, Load<V>(x + j) * Load<V>(s + j) + Load<V>(t + j));
      for (; j < c; j++) y[j] = x[j] * s[j] + t[j];
    }
    return;
  }
  for (size_t r = 0; r < rows; r++, x += c, x2 += c, y += c) {
    size_t j = 0;
    for (; j + W <= c; j += W) {
      const V vxs = Load<V>(x + j) * Load<V>(s + j) + Load<V>(t + j);
      Store(y + j, vxs + (Load<V>(x2 + j) - Load<V>(u + j)) * Load<V>(s2 + j));
    }
    for (; j < c; j++) y[j] = (x[j] * s[j] + t[j]) + (x2[j] - u[j]) * s2[j];
  }
}

// One vector of channels down every row, its two sums in registers.
template <typename V, size_t W>
static void Sums(size_t rows, size_t c, const float* x, const float* y, const float* u, const float* v, float* s1,
                 float* s2) {
  size_t j = 0;
  for (; j + W <= c; j += W) {
    const V vu = Load<V>(u + j), vv = Load<V>(v + j);
    V vacc1 = {}, vacc2 = {};
    const float* px = x + j;
    const float* py = y + j;
    for (size_t r = 0; r < rows; r++, px += c, py += c) {
      const V vy = Load<V>(py);
      vacc1 += vy;
      vacc2 += (Load<V>(px) - vu) * (vy - vv);
    }
    Store(s1 + j, vacc1);
    Store(s2 + j, vacc2);
  }
  for (; j < c; j++) {
    float acc1 = 0, acc2 = 0;
    for (size_t r = 0; r < rows; r++) {
      const float vy = y[r * c + j];
      acc1 += vy;
      acc2 += (x[r * c + j] - u[j]) * (vy - v[j]);
    }
    s1[j] = acc1;
    s2[j] = acc2;
  }
}

}  // namespace batchnorm_kernels
}  // namespace convkit
