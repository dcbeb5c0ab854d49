#include "ops/dense.h"

#include "kernels/gemm_driver.h"

namespace convkit {

void DenseForward(size_t m, size_t k, size_t n, const float* x, const float* packed_w,
                  const float* bias, Activation act, float* y) {
  const ClampRange clamp = ClampFor(act);
  GemmRun(GemmProblem{m, n, k, x, k, packed_w, y, n, bias, clamp.min, clamp.max, false});
}

}  // namespace convkit
