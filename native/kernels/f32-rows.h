// The row kernels (kernels/rows.h) written once over a vector V of floats (GCC/clang vector
// extensions), compiled per ISA: 4 floats in f32-rows-scalar.cc (SSE2 on x86-64, NEON on
// AArch64), 8 in f32-rows-avx2.cc, 16 in f32-rows-avx512f.cc. Include only from those files.
// Contraction is off: a product is rounded before it is added, whatever the ISA.
#pragma once
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif
#include <cstddef>

#include "kernels/rows.h"

namespace convkit {
namespace f32_rows {

// Unaligned vector loads and stores (a memcpy of one vector compiles to one instruction).
template <typename V>
static inline V Load(const float* p) { V v; __builtin_memcpy(&v, p, sizeof v); return v; }
template <typename V>
static inline void Store(float* p, V v) { __builtin_memcpy(p, &v, sizeof v); }

template <typename V>
static void Add(float* dst, const float* src, size_t n) {
  constexpr size_t L = sizeof(V) / sizeof(float);
  size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const V vsrc0 = Load<V>(src + i), vsrc1 = Load<V>(src + i + L);
    const V vdst0 = Load<V>(dst + i), vdst1 = Load<V>(dst + i + L);
    Store<V>(dst + i, vdst0 + vsrc0);
    Store<V>(dst + i + L, vdst1 + vsrc1);
  }
  for (; i + L <= n; i += L) Store<V>(dst + i, Load<V>(dst + i) + Load<V>(src + i));
  for (; i < n; i++) dst[i] += src[i];
}

template <typename V>
static void AddScaled(float* dst, const float* src, float a, size_t n) {
  constexpr size_t L = sizeof(V) / sizeof(float);
  const V va = V{} + a;
  size_t i = 0;
  for (; i + L <= n; i += L) {
    const V vprod = va * Load<V>(src + i);
    Store<V>(dst + i, Load<V>(dst + i) + vprod);
  }
  for (; i < n; i++) {
    const float prod = a * src[i];
    dst[i] += prod;
  }
}

template <typename V>
static void Blend(const float* tl, const float* tr, const float* bl, const float* br, float fx, float fy, float* out,
                  size_t n) {
  constexpr size_t L = sizeof(V) / sizeof(float);
  const V vfx = V{} + fx, vfy = V{} + fy;
  size_t i = 0;
  for (; i + L <= n; i += L) {
    const V vtl = Load<V>(tl + i), vbl = Load<V>(bl + i);
    const V vtop = vtl + (Load<V>(tr + i) - vtl) * vfx;
    const V vbottom = vbl + (Load<V>(br + i) - vbl) * vfx;
    Store<V>(out + i, vtop + (vbottom - vtop) * vfy);
  }
  for (; i < n; i++) {
    const float top = tl[i] + (tr[i] - tl[i]) * fx;
    const float bottom = bl[i] + (br[i] - bl[i]) * fx;
    out[i] = top + (bottom - top) * fy;
  }
}

}  // namespace f32_rows
}  // namespace convkit
