// ZeroPadding2D and Cropping2D as one copy, NHWC: the input cropped by ct, cb, cl, cr rows and
// columns, then padded with pt, pb, pl, pr rows and columns of zeros. Each output row is zeros
// (a padded row) or zeros, one contiguous span of an input row, zeros: row copies, no pixel loop.
#pragma once
#include "ops/plan.h"

namespace convkit {

struct Pad2DShape {
  Nhwc in;
  size_t pt, pb, pl, pr, ct, cb, cl, cr;
  size_t oh, ow;  // checked by the caller: h - ct - cb + pt + pb, and the same along w
};

// Tasks of output rows (n * oh), as PlanCopyRows(n * oh, ow * c) planned them.
void RunPad2D(const Plan& plan, const Pad2DShape& s, const float* x, float* y);

}  // namespace convkit
