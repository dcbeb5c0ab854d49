// The Winograd transforms over 16 floats (ops/winograd-transforms.h), for the AVX-512 kernels'
// CPUs; compiled for AVX-512 through the target pragma only, so the binary stays baseline x86-64.
#pragma GCC target("avx512f")
#include "ops/winograd-transforms.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64)));

const WinogradTransforms kWinogradTransforms16Avx512 = {winograd_transforms::Input<F32x16>,
                                                        winograd_transforms::Output<F32x16>};

}  // namespace convkit
