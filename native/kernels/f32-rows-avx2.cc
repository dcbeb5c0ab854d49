// The row kernels (kernels/f32-rows.h) over 8 floats, compiled for AVX2 through the target pragma only; run only when cpu-features.cc says so.
#pragma GCC target("avx2")
#include "kernels/f32-rows.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32), aligned(4), may_alias));

extern const RowKernels f32_rows_avx2 = {f32_rows::Add<F32x8>, f32_rows::AddScaled<F32x8>, f32_rows::Blend<F32x8>};

}  // namespace convkit
