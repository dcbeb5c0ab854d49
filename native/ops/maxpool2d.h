// MaxPool2D and AveragePooling2D, NHWC, on one window and tap machinery. Max: padded cells are
// skipped (they never win). Average: the sum of the window's cells inside the image, divided by
// their count (Keras), or by the whole window (ONNX count_include_pad).
#pragma once
#include "ops/plan.h"

namespace convkit {

// How a pooling window is reduced.
enum class PoolReduce { kMax, kAverage, kAverageCountPad };

// Runs of output pixels per task, as PlanMaxPool2D planned them; each participant's slot holds
// the tap pointers of the windows of one kernel call. Every window must hold at least one real
// cell (the N-API layer checks EveryWindowReal before any call gets here).
void RunPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow, PoolReduce reduce,
               const float* x, float* y);

}  // namespace convkit
