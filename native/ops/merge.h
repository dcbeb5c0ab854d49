// The merge ops of several inputs: elementwise (Add, Subtract, Multiply, Maximum, Minimum, and
// Average as add then a division) of two inputs that broadcast against each other, and
// concatenation of two inputs' rows. A merge of more inputs is a chain of these (graphs).
#pragma once
#include <cstddef>

#include "ops/plan.h"

namespace convkit {

// Two 4-D (NHWC) inputs and their broadcast output, collapsed for the kernel: y is rows[0] x
// rows[1] x rows[2] rows of c floats; each input's stride over each of those (0: it spreads
// along it) and along c (1, or 0: one float spread over the row). Axes where both inputs
// spread alike are merged, so equal shapes are one long row.
struct MergeShape {
  size_t a[4], b[4], y[4];
  size_t rows[3], c;
  size_t as[4], bs[4];
  int mode;
  float divisor;  // 0: none
};

// The broadcast of a and b into s (false: some axis differs and neither size is 1).
bool BroadcastMerge(const size_t a[4], const size_t b[4], MergeShape* s);

// Units of rows[0] * rows[1] * rows[2] rows cut into segments (PlanMerge).
void RunMerge(const Plan& plan, const MergeShape& s, const float* a, const float* b, float* y);
// y[m x (ca + cb)] = [a | b] row by row, in the same units (PlanMerge over m rows of ca + cb).
void RunConcat(const Plan& plan, size_t ca, size_t cb, const float* a, const float* b, float* y);
// The backward of RunConcat: dy's rows split into da [m x ca] and db [m x cb], in the same units.
void RunConcatGrad(const Plan& plan, size_t ca, size_t cb, const float* dy, float* da, float* db);
// Gradients of a binary merge: da like a and db like b from dy (like y), each summed over the
// axes its input spreads along, in a fixed order (threads split da's and db's floats).
void RunMergeGrad(const MergeShape& s, const float* a, const float* b, const float* dy, float* da, float* db);

}  // namespace convkit
