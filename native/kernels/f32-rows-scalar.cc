// The row kernels (kernels/f32-rows.h) over 4 floats: SSE2 on x86-64, NEON on AArch64, in every build.
#include "kernels/f32-rows.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16), aligned(4), may_alias));

extern const RowKernels f32_rows_scalar = {f32_rows::Add<F32x4>, f32_rows::AddScaled<F32x4>, f32_rows::Blend<F32x4>};

}  // namespace convkit
