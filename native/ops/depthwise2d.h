// DepthwiseConv2D, NHWC: output channel o reads input channel o / m (m = oc / c, the depth
// multiplier); weights [kh, kw, c, m] as a taps x oc matrix packed by PackWeights.
#pragma once
#include "ops/activation.h"
#include "ops/plan.h"

namespace convkit {

// y[n, oy, ox, o] = act(bias[o] + sum over the window's taps of x[.., o / m] * w[tap, o]), as
// PlanDepthwise2D planned it: runs of output pixels per task, each pixel's tap pointers in the
// participant's slot (a padding tap points at a vector of zeros). bias may be null. Each pixel is
// computed alike by whichever thread takes it: the same bits for any thread count.
void RunDepthwise2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
                    const float* bias, const OutputActivation& act, float* y);

}  // namespace convkit
