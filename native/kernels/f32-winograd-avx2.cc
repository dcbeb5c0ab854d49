// The Winograd transform kernels over 8 floats (kernels/winograd-transforms.h), compiled for AVX2
// through the target pragma only; they run only when cpu-features.cc says so.
#pragma GCC target("avx2")
#include "kernels/winograd-transforms.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32)));

extern const WinogradTransforms f32_winograd_avx2 = {winograd_transforms::Input<F32x8>,
                                                     winograd_transforms::Output<F32x8>};

}  // namespace convkit
