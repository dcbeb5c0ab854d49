// Indirect GEMM micro-kernel contract (XNNPACK's igemm): a convolution's rows of A are read
// through an indirection buffer, one pointer per output pixel and window tap (a zero vector for
// padding), so no im2col copy is made. K = taps * c in (tap, channel) order, the row order of an
// HWIO kernel packed by PackWeights.
#pragma once
#include <cstddef>

#include "kernels/gemm.h"

namespace convkit {

// Kernel signatures: IgemmFn and IgemmPairFn in gemm.h.
void f32_igemm_4x16_scalar(size_t mr, size_t taps, size_t c, const float* const* ind,
                           const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                           float minv, float maxv);
void f32_igemm_6x16_avx2_fma(size_t mr, size_t taps, size_t c, const float* const* ind,
                             const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                             float minv, float maxv);
void f32_igemm_8x16_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                            float minv, float maxv);
void f32_igemm_6x16_neon(size_t mr, size_t taps, size_t c, const float* const* ind, const float* w,
                         float* out, size_t ldc, unsigned flags, const float* bias, float minv,
                         float maxv);
void f32_igemm_8x32_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            const float* w0, const float* w1, float* out, size_t ldc,
                            unsigned flags, const float* bias, float minv, float maxv);

}  // namespace convkit
