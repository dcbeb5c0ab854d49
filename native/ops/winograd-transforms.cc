#include "ops/winograd-transforms.h"

#include <cstring>

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));

const WinogradTransforms kWinogradTransforms4 = {winograd_transforms::Input<F32x4>,
                                                 winograd_transforms::Output<F32x4>};

const WinogradTransforms& WinogradTransformsFor(const IsaKernels& uk) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(uk.isa, "avx512f") == 0) return kWinogradTransforms16Avx512;
  if (std::strcmp(uk.isa, "avx2-fma") == 0) return kWinogradTransforms8Avx2;
#else
  (void)uk;
#endif
  return kWinogradTransforms4;
}

}  // namespace convkit
