// MaxPool2D, NHWC. Padded cells are skipped (they never win the max).
#pragma once
#include "ops/window.h"

namespace convkit {

// Every window should hold at least one real cell (the N-API layer checks EveryWindowReal); one
// that does not gives -infinity.
void MaxPool2DNhwc(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const float* x,
                   float* y);

}  // namespace convkit
