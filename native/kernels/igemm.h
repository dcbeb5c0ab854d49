// Indirect GEMM micro-kernel contract (XNNPACK's igemm): a convolution's rows of A are read
// through an indirection buffer, one pointer per output pixel and window tap (a zero vector for
// padding), so no im2col copy is made. K = taps * c in (tap, channel) order, the row order of an
// HWIO kernel packed by PackWeights.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"

namespace convkit {

// Row pointer p of the indirection buffer for this call: buffers are kept between calls and
// built against the input of the call that built them, so every pointer but the zero vector's
// moves by the distance to this call's input (a_offset bytes, modulo 2^64: unsigned wrap-around
// subtracts as well as adds).
inline const float* ShiftedRow(const float* p, const float* zero, size_t a_offset) {
  return p == zero ? p : reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(p) + a_offset);
}

// Kernel signatures: IgemmFn and IgemmPairFn in gemm.h.
void f32_igemm_4x16_scalar(size_t mr, size_t taps, size_t c, const float* const* ind,
                           size_t a_offset, const float* zero,
                           const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                           float minv, float maxv);
void f32_igemm_6x16_avx2_fma(size_t mr, size_t taps, size_t c, const float* const* ind,
                             size_t a_offset, const float* zero,
                             const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                             float minv, float maxv);
void f32_igemm_8x16_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            size_t a_offset, const float* zero,
                            const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                            float minv, float maxv);
void f32_igemm_6x16_neon(size_t mr, size_t taps, size_t c, const float* const* ind, size_t a_offset, const float* zero, const float* w,
                         float* out, size_t ldc, unsigned flags, const float* bias, float minv,
                         float maxv);
void f32_igemm_8x32_avx512f(size_t mr, size_t taps, size_t c, const float* const* ind,
                            size_t a_offset, const float* zero,
                            const float* w0, const float* w1, float* out, size_t ldc,
                            unsigned flags, const float* bias, float minv, float maxv);

}  // namespace convkit
