// The Winograd transform kernels over 16 floats (kernels/winograd-transforms.h), compiled for
// AVX-512 through the target pragma only; they run only when cpu-features.cc says so.
#pragma GCC target("avx512f")
#include "kernels/winograd-transforms.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64)));

extern const WinogradTransforms f32_winograd_avx512f = {winograd_transforms::Input<F32x16>,
                                                        winograd_transforms::Output<F32x16>};

}  // namespace convkit
