// Baseline micro-kernel: plain C++ the compiler may vectorise for the baseline ISA (SSE2 on
// x86-64). Always present, so convkit runs on any CPU.
#include "kernels/gemm.h"

namespace convkit {

void f32_gemm_4x16_scalar(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                          const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                          float minv, float maxv) {
  constexpr size_t MR = 4;
  float acc[MR][kGemmNR] = {};
  for (size_t k = 0; k < kc; k++, w += kGemmNR) {
    for (size_t i = 0; i < mr; i++) {
      const float ai = a[i * a_rs + k * a_cs];
      for (size_t j = 0; j < kGemmNR; j++) acc[i][j] += ai * w[j];
    }
  }
  for (size_t i = 0; i < mr; i++) {
    float* ci = c + i * ldc;
    for (size_t j = 0; j < kGemmNR; j++) {
      float v = acc[i][j];
      if (flags & kGemmAccumulate) v = ci[j] + v;
      if (flags & kGemmEpilogue) {
        v += bias[j];
        // Written so that NaN passes through the clamp unchanged.
        v = v < minv ? minv : v;
        v = v > maxv ? maxv : v;
      }
      ci[j] = v;
    }
  }
}

}  // namespace convkit
