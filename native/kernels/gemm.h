// GEMM micro-kernel contract: C[mr x 16] (+)= A[mr x kc] * W[kc x 16], W packed (see pack_weights.h).
#pragma once
#include <cstddef>

namespace convkit {

// Every micro-kernel computes 16 output columns: weights are packed in panels of this width.
// Must match lib/backends (packed size) and assembly/ (when it exists).
constexpr size_t kGemmNR = 16;
// Largest MR of any micro-kernel: the driver's edge tile is sized by it.
constexpr size_t kGemmMaxMR = 8;

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

void f32_gemm_4x16_scalar(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                          float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                          float maxv);
void f32_gemm_6x16_avx2_fma(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                            float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                            float maxv);
void f32_gemm_1x16_avx2_fma(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                            float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                            float maxv);
void f32_gemm_8x16_avx512f(size_t mr, size_t kc, const float* a, size_t lda, const float* w,
                           float* c, size_t ldc, unsigned flags, const float* bias, float minv,
                           float maxv);

}  // namespace convkit
