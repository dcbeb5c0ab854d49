// Batch normalization's two per-channel kernels over rows of c floats (NHWC: a row is a pixel),
// one set per ISA (f32-batchnorm-<isa>.cc, written once in batchnorm-kernels.h).
#pragma once
#include <cstddef>

#include "kernels/activation.h"

namespace convkit {

// y[r][j] = x[r][j] * s[j] + t[j], then + (x2[r][j] - u[j]) * s2[j] when x2 is not null (the
// backward's dx, with x2 = x and u = the mean, which it subtracts before it scales); with relu,
// then max(y, 0) (a NaN stays NaN). Each element is rounded as written (a product, then a sum): every ISA, vector or tail,
// gives the same bits.
using ChannelAffineFn = void (*)(size_t rows, size_t c, const float* x, const float* s, const float* t,
                                 const float* x2, const float* u, const float* s2, ClampRange clamp, float* y);
// s1[j] = sum of y[r][j] and s2[j] = sum of (x[r][j] - u[j]) * (y[r][j] - v[j]), over r in
// order (a channel's sum never depends on how many channels share a vector).
using ChannelSumsFn = void (*)(size_t rows, size_t c, const float* x, const float* y, const float* u,
                               const float* v, float* s1, float* s2);

struct BatchNormKernels {
  ChannelAffineFn affine;
  ChannelSumsFn sums;
};

extern const BatchNormKernels f32_batchnorm_scalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const BatchNormKernels f32_batchnorm_avx2;
extern const BatchNormKernels f32_batchnorm_avx512f;
#endif

}  // namespace convkit
