// PReLU over m rows of c floats sharing one row of c alphas (the layer makes its shared axes the
// rows): forward in batchNorm's tasks of whole rows, and its backward, whose dalpha sums over
// chunks of rows fixed by the shape, added in chunk order: the same bits for any thread count.
#pragma once
#include <cstddef>

#include "kernels/prelu.h"
#include "ops/plan.h"

namespace convkit {

const PReluKernels& PReluKernelsFor(const IsaKernels* isa);

// Tasks of whole rows of about kActivationFloatsPerTask floats (PlanBatchNorm's, path prelu).
Plan PlanPRelu(size_t rows, size_t c, const PlanTarget& t);

// y = x above 0, else x * alpha[j], plan.rows rows.
void RunPRelu(const Plan& plan, size_t c, const float* x, const float* alpha, float* y);

// dx = dy above 0, else dy * alpha[j]; dalpha[j] = the sum of dy * x where x <= 0 over the m rows,
// in float64 rounded once.
void RunPReluBackward(size_t m, size_t c, const float* x, const float* dy, const float* alpha, float* dx,
                      float* dalpha, const PlanTarget& t);

}  // namespace convkit
