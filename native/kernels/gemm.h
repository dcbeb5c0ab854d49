// GEMM micro-kernel contract: C[mr x 16] (+)= A[mr x kc] * W[kc x 16], W packed (see pack-weights.h).
#pragma once
#include <cstddef>

#include "generated/kernels.h"  // kGemmNR, kGemmMaxMR and the list of micro-kernels

namespace convkit {

enum GemmFlags : unsigned {
  kGemmAccumulate = 1,  // add to what C holds instead of overwriting it
  kGemmEpilogue = 2,    // last K block: add bias, then clamp to [minv, maxv]
};

// mr <= the kernel's MR rows of A (stride lda) and C (stride ldc); w is kc rows of 16 floats;
// bias is 16 floats (read only with kGemmEpilogue). Rows past mr are neither read nor written.
using GemmUkernelFn = void (*)(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                               float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                               float maxv);

struct GemmUkernel {
  const char* isa;  // name reported by backendInfo()
  size_t mr;
  GemmUkernelFn fn;
  GemmUkernelFn row;  // for a single row (mr = 1), or null to use fn
};

#define CONVKIT_DECLARE_GEMM(fn)                                                              \
  void fn(size_t mr, size_t kc, const float* a, size_t lda, const float* w, float* c, size_t ldc, \
          unsigned flags, const float* bias, float minv, float maxv);
CONVKIT_GEMM_FUNCTIONS(CONVKIT_DECLARE_GEMM)
#undef CONVKIT_DECLARE_GEMM

}  // namespace convkit
