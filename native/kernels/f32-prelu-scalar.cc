// The PReLU kernels over 4 floats (SSE2 on x86-64, NEON on AArch64), the baseline every CPU runs (kernels/prelu-kernels.h).
#include "kernels/prelu-kernels.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));
typedef float F32x2 __attribute__((vector_size(8)));
typedef double F64x2 __attribute__((vector_size(16)));

extern const PReluKernels f32_prelu_scalar = {prelu_kernels::Forward<F32x4, 4>,
                                             prelu_kernels::Backward<F32x2, F64x2, 4>};

}  // namespace convkit
