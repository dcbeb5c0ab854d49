// Elementwise merge micro-kernels (Add, Subtract, Multiply, Maximum, Minimum), one per vector
// width (kernels/vbinary-loop.h compiled per ISA), chosen with the GEMM's ISA (VBinaryFor).
#pragma once
#include <cstddef>

#include "kernels/gemm.h"

namespace convkit {

// y[i] = op(a[i * a_inc], b[i * b_inc]) for i < n, op a MergeMode; a_inc and b_inc are 1, or 0
// for one float spread over the row (a broadcast). Divided by divisor afterwards unless it is 0
// (Average). Maximum and minimum give NaN when either input is NaN.
using VBinaryFn = void (*)(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                           float divisor, float* y);

void f32_vbinary_scalar(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float divisor, float* y);
void f32_vbinary_avx2(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                      float divisor, float* y);
void f32_vbinary_avx512f(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                         float divisor, float* y);

// The kernel of the ISA the GEMM kernels `isa` belong to (4-float vectors where it has no wider).
VBinaryFn VBinaryFor(const IsaKernels* isa);

}  // namespace convkit
