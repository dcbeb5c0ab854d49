#include "kernels/gemm-driver.h"

#include <algorithm>
#include <cstring>


namespace convkit {
namespace {

const float kZeroBias[kGemmNR] = {};

}  // namespace

void GemmTile(const GemmUkernel& uk, const GemmProblem& p, size_t m0, size_t m1, size_t p0,
              size_t p1, size_t k_block) {
  const size_t panels = (p.n + kGemmNR - 1) / kGemmNR;
  p1 = std::min(p1, panels);
  float edge[kGemmMaxMR * kGemmNR];  // tile for the last panel when N is not a multiple of 16
  float edge_bias[kGemmNR];
  for (size_t mb = m0; mb < m1; mb += kGemmMc) {
    const size_t me = std::min(m1, mb + kGemmMc);
    for (size_t k0 = 0; k0 < p.k; k0 += k_block) {
      const size_t kc = std::min(k_block, p.k - k0);
      unsigned flags = 0;
      if (k0 > 0 || p.accumulate) flags |= kGemmAccumulate;
      if (k0 + kc >= p.k) flags |= kGemmEpilogue;
      for (size_t pi = p0; pi < p1; pi++) {
        const size_t n0 = pi * kGemmNR;
        const size_t nc = std::min(kGemmNR, p.n - n0);
        const float* w = p.w + (pi * p.k + k0) * kGemmNR;
        const float* bias = p.bias ? p.bias + n0 : kZeroBias;
        if (nc < kGemmNR && p.bias) {
          std::memset(edge_bias, 0, sizeof(edge_bias));
          std::memcpy(edge_bias, bias, nc * sizeof(float));
          bias = edge_bias;
        }
        for (size_t i = mb; i < me; i += uk.mr) {
          const size_t mr = std::min(uk.mr, me - i);
          const float* a = p.a + i * p.lda + k0;
          float* c = p.c + i * p.ldc + n0;
          const GemmUkernelFn fn = mr == 1 && uk.row ? uk.row : uk.fn;
          if (nc == kGemmNR) {
            fn(mr, kc, a, p.lda, w, c, p.ldc, flags, bias, p.minv, p.maxv);
            continue;
          }
          // A partial panel computes into a 16-wide tile and copies back the columns that exist.
          if (flags & kGemmAccumulate)
            for (size_t r = 0; r < mr; r++) std::memcpy(edge + r * kGemmNR, c + r * p.ldc, nc * sizeof(float));
          fn(mr, kc, a, p.lda, w, edge, kGemmNR, flags, bias, p.minv, p.maxv);
          for (size_t r = 0; r < mr; r++) std::memcpy(c + r * p.ldc, edge + r * kGemmNR, nc * sizeof(float));
        }
      }
    }
  }
}

}  // namespace convkit
