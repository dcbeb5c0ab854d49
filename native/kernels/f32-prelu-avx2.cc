// The PReLU kernels over 8 floats, compiled for AVX2 through the target pragma only; they run only when cpu-features.cc says so (kernels/prelu-kernels.h).
#pragma GCC target("avx2")
#include "kernels/prelu-kernels.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32)));
typedef float F32x4 __attribute__((vector_size(16)));
typedef double F64x4 __attribute__((vector_size(32)));

extern const PReluKernels f32_prelu_avx2 = {prelu_kernels::Forward<F32x8, 8>,
                                             prelu_kernels::Backward<F32x4, F64x4, 8>};

}  // namespace convkit
