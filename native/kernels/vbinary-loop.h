// The elementwise merge loop (kernels/vbinary.h), written once over a vector V of floats (GCC
// and clang vector extensions) and compiled per ISA: 4 floats in f32-vbinary-scalar.cc (SSE2 on
// x86-64, NEON on AArch64), 8 in f32-vbinary-avx2.cc, 16 in f32-vbinary-avx512f.cc, each under
// its target pragma. Include only from those files; everything here is static to each.
#pragma once
#include <cstddef>
#include <cstring>

#include "kernels/vector-load-store.h"

#include "generated/kernels.h"

namespace convkit {
namespace vbinary_loop {

using vector_io::Load;
using vector_io::Store;

// One lane or one vector of the op; a NaN on either side of a comparison wins.
template <int kMode, typename V>
static inline V Op(V a, V b) {
  if (kMode == kMergeAdd) return a + b;
  if (kMode == kMergeSubtract) return a - b;
  if (kMode == kMergeMultiply) return a * b;
  if (kMode == kMergeMaximum) return ((a > b) | (a != a)) ? a : b;
  return ((a < b) | (a != a)) ? a : b;
}

template <int kMode>
static inline float Op1(float a, float b) {
  if (kMode == kMergeAdd) return a + b;
  if (kMode == kMergeSubtract) return a - b;
  if (kMode == kMergeMultiply) return a * b;
  if (kMode == kMergeMaximum) return (a > b || a != a) ? a : b;
  return (a < b || a != a) ? a : b;
}

// Two vectors per step (two loads in flight per input), then one, then single floats. A spread
// input is one float splat into a register for the whole row.
template <typename V, int kMode, bool kAStep, bool kBStep, bool kDivide>
static void Row(size_t n, const float* a, const float* b, float divisor, float* y) {
  constexpr size_t kW = sizeof(V) / sizeof(float);
  const V va_splat = V{} + a[0], vb_splat = V{} + b[0], vd = V{} + divisor;
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const V va0 = kAStep ? Load<V>(a + i) : va_splat, va1 = kAStep ? Load<V>(a + i + kW) : va_splat;
    const V vb0 = kBStep ? Load<V>(b + i) : vb_splat, vb1 = kBStep ? Load<V>(b + i + kW) : vb_splat;
    V vy0 = Op<kMode>(va0, vb0), vy1 = Op<kMode>(va1, vb1);
    if (kDivide) {
      vy0 = vy0 / vd;
      vy1 = vy1 / vd;
    }
    Store(y + i, vy0);
    Store(y + i + kW, vy1);
  }
  for (; i + kW <= n; i += kW) {
    V vy = Op<kMode>(kAStep ? Load<V>(a + i) : va_splat, kBStep ? Load<V>(b + i) : vb_splat);
    if (kDivide) vy = vy / vd;
    Store(y + i, vy);
  }
  for (; i < n; i++) {
    float v = Op1<kMode>(a[kAStep ? i : 0], b[kBStep ? i : 0]);
    if (kDivide) v = v / divisor;
    y[i] = v;
  }
}

template <typename V, int kMode, bool kDivide>
static void Steps(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float divisor, float* y) {
  if (a_inc && b_inc) Row<V, kMode, true, true, kDivide>(n, a, b, divisor, y);
  else if (a_inc) Row<V, kMode, true, false, kDivide>(n, a, b, divisor, y);
  else if (b_inc) Row<V, kMode, false, true, kDivide>(n, a, b, divisor, y);
  else Row<V, kMode, false, false, kDivide>(n, a, b, divisor, y);
}

template <typename V, int kMode>
static void Divided(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float divisor, float* y) {
  if (divisor != 0.0f) Steps<V, kMode, true>(n, a, a_inc, b, b_inc, divisor, y);
  else Steps<V, kMode, false>(n, a, a_inc, b, b_inc, divisor, y);
}

template <typename V>
static void Run(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float divisor, float* y) {
  switch (mode) {
    case kMergeAdd: return Divided<V, kMergeAdd>(n, a, a_inc, b, b_inc, divisor, y);
    case kMergeSubtract: return Divided<V, kMergeSubtract>(n, a, a_inc, b, b_inc, divisor, y);
    case kMergeMultiply: return Divided<V, kMergeMultiply>(n, a, a_inc, b, b_inc, divisor, y);
    case kMergeMaximum: return Divided<V, kMergeMaximum>(n, a, a_inc, b, b_inc, divisor, y);
    default: return Divided<V, kMergeMinimum>(n, a, a_inc, b, b_inc, divisor, y);
  }
}

}  // namespace vbinary_loop
}  // namespace convkit
