#include "ops/dense.h"

#include "ops/matmul.h"

namespace convkit {

void RunDense(const Plan& plan, size_t k, size_t n, const float* x, const float* packed_w,
              const float* bias, const OutputActivation& act, float* y) {
  const ClampRange clamp = ClampFor(act.act);
  RunMatmul(plan, GemmProblem{plan.rows, n, k, x, k, 1, packed_w, y, n, bias, clamp.min, clamp.max, false});
  ApplyOutputActivation(act, y, n);
}

}  // namespace convkit
