// UpSampling2D (Keras): each image scaled by integer factors sh x sw. 'nearest' repeats each
// pixel sh x sw times; 'bilinear' is tf.image.resize's (half-pixel centers, no antialias):
// output row oy reads the input at (oy + 0.5) h / oh - 0.5, clamped to the image, between its
// two nearest rows (columns alike). s.in is the input, s.win.sh / sw the factors, s.oh = h sh,
// s.ow = w sw, s.oc = c. The backward passes: each input cell gathers the output gradients
// that read it, in a fixed order.
#pragma once
#include "ops/plan.h"

namespace convkit {

// Tasks of rows (nearest: input rows, each making its sh output rows; bilinear: output rows).
Plan PlanUpSampling2D(const Conv2DShape& s, bool bilinear, const PlanTarget& t);
void RunUpSampling2D(const Plan& plan, const Conv2DShape& s, const float* x, float* y);

// dx from dy (s as the forward's): nearest sums each block of dy in row-major order; bilinear
// gathers, for each input cell, every output's gradient times its weight on that cell, outputs
// in row-major order. Tasks of input rows: the same bits for any thread count.
void RunUpSampling2DBackward(const Conv2DShape& s, bool bilinear, const float* dy, float* dx, const PlanTarget& t);

// Where output index o of an axis of `out` cells (from `in`) reads: cells lo and hi, weight frac on hi.
struct LerpTap {
  size_t lo, hi;
  float frac;
};
LerpTap BilinearTap(size_t o, size_t in, size_t out);

}  // namespace convkit
