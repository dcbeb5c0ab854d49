// The batch-normalization kernels over 4 floats (kernels/batchnorm-kernels.h): SSE2 on x86-64,
// NEON on AArch64 (the baseline of each), so every build has them.
#include "kernels/batchnorm-kernels.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));

extern const BatchNormKernels f32_batchnorm_scalar = {batchnorm_kernels::Affine<F32x4, 4>,
                                                      batchnorm_kernels::Sums<F32x4, 4>};

}  // namespace convkit
