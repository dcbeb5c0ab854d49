// The activation of an op's output. linear, relu and relu6 are a clamp the GEMM epilogue applies
// as it writes each tile; the others need exp, erfc or tanh (and softmax a whole row), so the GEMM
// runs with the linear clamp and this pass applies them to the finished output, in the same call and
// on the same thread pool, in tasks of whole rows (PlanActivation). Mirrors
// assembly/ops/activation.ts.
#pragma once
#include <cstddef>

#include "kernels/activation.h"
#include "ops/plan.h"

namespace convkit {

struct OutputActivation {
  Activation act;
  Plan plan;  // PlanActivation over the output's rows; unused when the clamp does it all
};

// The activation of a rows x cols output (cols: the last axis, over which softmax runs).
OutputActivation PlanOutputActivation(Activation act, size_t rows, size_t cols, const PlanTarget& t);

// Applies the activation to y (plan.rows rows of cols floats) in place; nothing for the clamps
// (ClampOnly). Each row is computed alike whichever thread takes it: the same bits for any
// thread count.
void ApplyOutputActivation(const OutputActivation& a, float* y, size_t cols);

}  // namespace convkit
