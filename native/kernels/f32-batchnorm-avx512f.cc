// The batch-normalization kernels over 16 floats (kernels/batchnorm-kernels.h), compiled for
// AVX-512F through the target pragma only; they run only when cpu-features.cc says so.
#pragma GCC target("avx512f")
#include "kernels/batchnorm-kernels.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64)));

extern const BatchNormKernels f32_batchnorm_avx512f = {batchnorm_kernels::Affine<F32x16, 16>,
                                                       batchnorm_kernels::Sums<F32x16, 16>};

}  // namespace convkit
