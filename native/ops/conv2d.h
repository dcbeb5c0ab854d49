// Conv2D, NHWC input, HWIO weights packed by PackWeights (K = kh*kw*c rows, oc columns).
#pragma once
#include "ops/activation.h"
#include "ops/indirection-cache.h"
#include "ops/plan.h"
#include "ops/winograd.h"

namespace convkit {

// What a convolution keeps with its weights between calls.
struct ConvCaches {
  IndirectionCache indirection;
  WinogradCache winograd;
};

// y[n, oy, ox, oc] = act(bias[oc] + sum over taps), as PlanConv2D planned it (softmax over oc).
// bias may be null.
// The Winograd path reads the transformed weights `caches` keeps (or, with no caches, transforms
// them for this call). The indirect path reads windows through the indirection buffer `caches`
// keeps for the shape (or, with no caches or too large a buffer, builds a task's share in its
// workspace slot);
// the im2col path expands one bounded segment of rows per task into the participant's
// workspace slot; the GEMM path reads x as the matrix directly.
void RunConv2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
               const float* bias, const OutputActivation& act, float* y, ConvCaches* caches);

}  // namespace convkit
