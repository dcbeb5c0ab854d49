// Baseline indirect micro-kernel: plain C++ the compiler may vectorise for the baseline ISA.
#include "kernels/igemm.h"

namespace convkit {

void f32_igemm_4x16_scalar(size_t mr, size_t taps, size_t c, const float* const* ind,
                           const float* w, float* out, size_t ldc, unsigned flags,
                           const float* bias, float minv, float maxv) {
  constexpr size_t MR = 4;
  float acc[MR][kGemmNR] = {};
  for (size_t t = 0; t < taps; t++, ind += MR) {
    for (size_t ch = 0; ch < c; ch++, w += kGemmNR) {
      for (size_t i = 0; i < mr; i++) {
        const float ai = ind[i][ch];
        for (size_t j = 0; j < kGemmNR; j++) acc[i][j] += ai * w[j];
      }
    }
  }
  for (size_t i = 0; i < mr; i++) {
    for (size_t j = 0; j < kGemmNR; j++) {
      float v = acc[i][j];
      if (flags & kGemmAccumulate) v = out[i * ldc + j] + v;
      if (flags & kGemmEpilogue) {
        v += bias[j];
        // Written so that NaN passes through the clamp unchanged.
        v = v < minv ? minv : v;
        v = v > maxv ? maxv : v;
      }
      out[i * ldc + j] = v;
    }
  }
}

}  // namespace convkit
