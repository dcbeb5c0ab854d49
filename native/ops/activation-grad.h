// The gradient through an activation, from its output y: g = dy * f'(z), written with y alone
// (relu: y > 0; sigmoid: y (1 - y); tanh: 1 - y^2; softmax, per row of cols: y_i (dy_i - dy . y);
// the others: kernels/activation-f64.h), or from the pre-activation z for ActivationFromInput.
// Each value in float64, rounded once; a softmax row's dot product runs in order. Rows are
// independent, so the bits never depend on how threads share them.
#pragma once
#include <cstddef>

#include "kernels/activation.h"
#include "ops/plan.h"

namespace convkit {

// g (rows x cols) from dy and y (z for ActivationFromInput(act)); linear copies dy (y unused, may
// be null).
void ActivationGrad(Activation act, const float* dy, const float* y, size_t rows, size_t cols, float* g,
                    const PlanTarget& t);

}  // namespace convkit
