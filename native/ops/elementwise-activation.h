// A standalone activation (the Activation, ReLU, LeakyReLU, ELU and Softmax layers) over rows of
// n floats (n: the last axis, softmax's), with Keras's parameters: relu is ReLU(max_value,
// negative_slope = alpha, threshold), leaky_relu and elu take alpha; every other activation is
// kernels/activation-f64.h's. Each value in float64, rounded once; rows are independent, so the
// bits never depend on how threads share them. Mirrors assembly/ops/elementwise.ts.
#pragma once
#include <cstddef>

#include "generated/kernels.h"
#include "ops/plan.h"

namespace convkit {

struct ActivationParams {
  Activation act;
  float alpha, max_value, threshold;
};

// y (rows x n) = f(x), on the plan's threads (PlanActivation); y may be x. inner > 1 (softmax
// only): row r is the strided row of n floats inner apart that starts at (r / inner) * n * inner
// + r % inner (softmax over a middle axis, no transpose).
void RunElementwiseActivation(const Plan& plan, const ActivationParams& p, const float* x, float* y, size_t n,
                              size_t inner = 1);

// dx (rows x n) = dy * f'(x) (softmax: y_i (dy_i - dy . y) per row, y its float32 output).
void ElementwiseActivationGrad(const ActivationParams& p, const float* x, const float* dy, size_t rows, size_t n,
                               float* dx, const PlanTarget& t, size_t inner = 1);

}  // namespace convkit
