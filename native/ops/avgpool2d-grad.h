// Average-pool backward as a gather: each cell of dx sums dy / divisor over the windows that hold
// it, in window-tap order (ky, then kx), so its bits never depend on how threads split the work
// (they take rows of dx). The divisor is the forward's: the window's cells inside the image, or
// the whole window with count_pad.
#pragma once
#include "ops/plan.h"
#include "ops/window.h"

namespace convkit {

// dx (in's shape) from dy (n x oh x ow x c).
void RunAvgPool2DBackward(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, bool count_pad,
                          const float* dy, float* dx, const PlanTarget& t);

}  // namespace convkit
