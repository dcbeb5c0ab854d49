// The backward pass of DepthwiseConv2D (y = act(depthwise(x, W) + bias)): g = dy through the
// activation's derivative, then, with c' = o / m the input channel of output channel o,
//   dx[b, iy, ix, c] = sum over j < m and the taps whose window at some output pixel (oy, ox)
//                      reads (iy, ix) of g[b, oy, ox, c * m + j] * W[tap, c * m + j]
//   dW[tap, o] = sum over output pixels of x[tap's cell, c'] * g[pixel, o],  db[o] = sum of g[., o].
// dx gathers (no scatter): each input row is a task, its sums in tap order. dW and db sum over
// every output pixel in order, one task per block of 16 channels. Every sum is in float64,
// rounded once; no order depends on the thread count.
#pragma once
#include "ops/plan.h"
#include "ops/weighted-grad.h"

namespace convkit {

// g.m output pixels, g.k = kh * kw taps, g.n = oc = c * m output channels; g.kernel is k x n.
void RunDepthwise2DBackward(const WeightedGrad& g, const Conv2DShape& s, const float* x, const PlanTarget& t);

}  // namespace convkit
