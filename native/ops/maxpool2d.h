// MaxPool2D, NHWC. Padded cells are skipped (they never win the max).
#pragma once
#include "ops/plan.h"

namespace convkit {

// Runs of output pixels per task, as PlanMaxPool2D planned them; each participant's slot holds
// the tap pointers of kPoolPixelsPerCall windows. Every window must hold at least one real cell
// (the N-API layer checks EveryWindowReal before any call gets here).
void RunMaxPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow,
                  const float* x, float* y);

}  // namespace convkit
