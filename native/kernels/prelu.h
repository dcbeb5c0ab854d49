// PReLU's two kernels over rows of c floats that share one row of c alphas (NHWC pixels with a
// per-channel alpha, or whole samples with an alpha per value), one set per ISA
// (f32-prelu-<isa>.cc, written once in prelu-kernels.h).
#pragma once
#include <cstddef>

namespace convkit {

// y[r][j] = x[r][j] above 0, else x[r][j] * alpha[j] (a NaN stays NaN): one product, so every
// ISA, vector or tail, gives the same bits.
using PReluFn = void (*)(size_t rows, size_t c, const float* x, const float* alpha, float* y);
// dx[r][j] = dy[r][j] above 0, else dy[r][j] * alpha[j]; and dalpha[j] = the sum over r, in
// order, of dy[r][j] * x[r][j] where x[r][j] is not above 0, in float64 (each product exact):
// the same bits on every ISA.
using PReluGradFn = void (*)(size_t rows, size_t c, const float* x, const float* dy, const float* alpha, float* dx,
                             double* dalpha);

struct PReluKernels {
  PReluFn forward;
  PReluGradFn backward;
};

extern const PReluKernels f32_prelu_scalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const PReluKernels f32_prelu_avx2;
extern const PReluKernels f32_prelu_avx512f;
#endif

}  // namespace convkit
