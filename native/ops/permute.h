// Permute (Keras): each sample's axes [d0, d1, d2] reordered, output axis k being input axis
// perm[k]. s.in is {n, d0, d1, d2}. Tasks are runs of output rows (sample, first output index),
// each copied from its input strides: a run of floats where the last axis stays last.
#pragma once
#include "ops/plan.h"

namespace convkit {

Plan PlanPermute(const Nhwc& in, const size_t perm[3], const PlanTarget& t);
void RunPermute(const Plan& plan, const Nhwc& in, const size_t perm[3], const float* x, float* y);

}  // namespace convkit
