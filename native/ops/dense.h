// Dense (fully connected): y[m, n] = act(x[m, :] . W[:, n] + bias[n]), W packed by PackWeights.
#pragma once
#include <cstddef>

#include "ops/activation.h"
#include "ops/plan.h"

namespace convkit {

// plan: PlanGemm(m, n, k, ...).
void RunDense(const Plan& plan, size_t k, size_t n, const float* x, const float* packed_w,
              const float* bias, const OutputActivation& act, float* y);

}  // namespace convkit
