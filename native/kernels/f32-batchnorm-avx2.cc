// The batch-normalization kernels over 8 floats (kernels/batchnorm-kernels.h), compiled for AVX2
// through the target pragma only; they run only when cpu-features.cc says so.
#pragma GCC target("avx2")
#include "kernels/batchnorm-kernels.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32)));

extern const BatchNormKernels f32_batchnorm_avx2 = {batchnorm_kernels::Affine<F32x8, 8>,
                                                    batchnorm_kernels::Sums<F32x8, 8>};

}  // namespace convkit
