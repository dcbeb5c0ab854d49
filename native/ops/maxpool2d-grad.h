// Max-pool backward: each window's gradient goes to one cell, the argmax recomputed with the
// forward's rule (the first maximal tap in row-major window order; where a window holds a NaN,
// its first NaN). Padding never takes gradient. Cells that several windows pick add their
// gradients in output order; images run in parallel (they share no cell), so the bits never
// depend on the thread count.
#pragma once
#include "ops/plan.h"
#include "ops/window.h"

namespace convkit {

// dx (in's shape) from x and dy (n x oh x ow x c). Every window holds a real cell (checked at
// the boundary).
void RunMaxPool2DBackward(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                          const float* dy, float* dx, const PlanTarget& t);

}  // namespace convkit
