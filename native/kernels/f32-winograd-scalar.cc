// The Winograd transform kernels over 4 floats (kernels/winograd-transforms.h): SSE2 on x86-64,
// NEON on AArch64, in every build.
#include "kernels/winograd-transforms.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));

extern const WinogradTransforms f32_winograd_scalar = {winograd_transforms::Input<F32x4>,
                                                       winograd_transforms::Output<F32x4>};

}  // namespace convkit
