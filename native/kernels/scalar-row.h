// The baseline kernels' row of 16 accumulators, in four 4-float vectors (GCC/clang vector
// extensions: SSE2 on x86-64, NEON on AArch64) named one by one, so that they stay in registers
// and the compiler does not vectorise along k instead (it did, with shuffles and spills).
#pragma once
#include <cstring>

#include "kernels/gemm.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));

struct Row16 {
  F32x4 v0{}, v1{}, v2{}, v3{};

  // acc[j] += a * w[j] for j < 16: a multiply then an add per element, as in the other kernels.
  inline void Add(float a, const float* w) {
    F32x4 w0, w1, w2, w3;
    std::memcpy(&w0, w, 16);
    std::memcpy(&w1, w + 4, 16);
    std::memcpy(&w2, w + 8, 16);
    std::memcpy(&w3, w + 12, 16);
    const F32x4 va = {a, a, a, a};
    v0 += va * w0;
    v1 += va * w1;
    v2 += va * w2;
    v3 += va * w3;
  }

  // c[0..16) = the row, added to c (kGemmAccumulate), then bias and the clamp (kGemmEpilogue).
  // Written so that NaN passes through the clamp unchanged.
  inline void Store(float* c, unsigned flags, const float* bias, float minv, float maxv) const {
    float acc[kGemmNR];
    std::memcpy(acc, &v0, 16);
    std::memcpy(acc + 4, &v1, 16);
    std::memcpy(acc + 8, &v2, 16);
    std::memcpy(acc + 12, &v3, 16);
    for (size_t j = 0; j < kGemmNR; j++) {
      float v = acc[j];
      if (flags & kGemmAccumulate) v = c[j] + v;
      if (flags & kGemmEpilogue) {
        v += bias[j];
        v = v < minv ? minv : v;
        v = v > maxv ? maxv : v;
      }
      c[j] = v;
    }
  }
};

}  // namespace convkit
