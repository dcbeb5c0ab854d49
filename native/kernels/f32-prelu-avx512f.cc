// The PReLU kernels over 16 floats, compiled for AVX-512F through the target pragma only; they run only when cpu-features.cc says so (kernels/prelu-kernels.h).
#pragma GCC target("avx512f")
#include "kernels/prelu-kernels.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64)));
typedef float F32x8 __attribute__((vector_size(32)));
typedef double F64x8 __attribute__((vector_size(64)));

extern const PReluKernels f32_prelu_avx512f = {prelu_kernels::Forward<F32x16, 16>,
                                             prelu_kernels::Backward<F32x8, F64x8, 16>};

}  // namespace convkit
