// The row kernels (kernels/f32-rows.h) over 16 floats, compiled for AVX-512 through the target pragma only; run only when cpu-features.cc says so.
#pragma GCC target("avx512f")
#include "kernels/f32-rows.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64), aligned(4), may_alias));

extern const RowKernels f32_rows_avx512f = {f32_rows::Add<F32x16>, f32_rows::AddScaled<F32x16>, f32_rows::Blend<F32x16>};

}  // namespace convkit
