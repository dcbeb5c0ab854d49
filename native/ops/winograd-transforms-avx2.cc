// The Winograd transforms over 8 floats (ops/winograd-transforms.h), for the AVX2 kernels' CPUs;
// compiled for AVX2 through the target pragma only, so the binary stays baseline x86-64.
#pragma GCC target("avx2")
#include "ops/winograd-transforms.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32)));

const WinogradTransforms kWinogradTransforms8Avx2 = {winograd_transforms::Input<F32x8>,
                                                     winograd_transforms::Output<F32x8>};

}  // namespace convkit
