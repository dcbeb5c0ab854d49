// Batch normalization over rows of c channels (NHWC pixels, or Dense's rows): inference as a
// per-channel y = x * s + t (s and t made once from the weights by the layer), training's
// forward with the batch's statistics, and its backward. Every per-channel sum runs over chunks
// of rows fixed by the shape, added in chunk order: the same bits for any thread count.
#pragma once
#include <cstddef>

#include "kernels/batchnorm.h"
#include "ops/plan.h"

namespace convkit {

// The ISA's kernels (the baseline 4-float set where the ISA has no wider one).
const BatchNormKernels& BatchNormKernelsFor(const IsaKernels* isa);

// y = x * s + t per channel, plan.rows rows (PlanBatchNorm); st holds s then t (2c floats);
// relu clamps y at 0 (the other activations run after, as a pass: ops/activation.h).
void RunBatchNorm(const Plan& plan, size_t c, const float* x, const float* st, ClampRange clamp, float* y);

// Training's forward: mean and biased variance of each channel over the m rows (two passes:
// the mean, then the squares of x - mean), y = (x - mean) / sqrt(variance + epsilon) * gamma + beta
// as y = x * s + t; gamma and beta null mean 1 and 0.
void RunBatchNormTraining(size_t m, size_t c, const float* x, const float* gamma, const float* beta, double epsilon,
                          float* y, float* mean, float* variance, const PlanTarget& t);

// Its backward given the batch's mean and variance: dgamma = sum of dy * xhat, dbeta = sum of
// dy, dx = gamma / sigma * (dy - dbeta / m - xhat * dgamma / m), xhat = (x - mean) / sigma.
// frozen: the mean and variance are constants (inference's form), dx = gamma / sigma * dy.
void RunBatchNormBackward(size_t m, size_t c, const float* x, const float* dy, const float* mean,
                          const float* variance, const float* gamma, double epsilon, bool frozen, float* dx,
                          float* dgamma, float* dbeta, const PlanTarget& t);

}  // namespace convkit
