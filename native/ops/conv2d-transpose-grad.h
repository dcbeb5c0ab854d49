// The backward pass of Conv2DTranspose (ops/conv2d-transpose.h), y = act(T(x) + bias), where T
// is the input gradient of the convolution C that reads an [n, oh, ow, oc] image with the same
// kernel, strides and pads and gives [n, h, w, c]: g = dy through the activation's derivative,
//   dx = C(g)  (a plain convolution, the forward's direct path),
//   dW = im2col_C(g)^T x  (C's filter gradient, with x in the place of its output gradient),
//   db = the column sums of g,
// every reduction in an order fixed by the shape, so the bits never depend on the thread count.
#pragma once
#include "kernels/activation.h"
#include "ops/plan.h"

namespace convkit {

struct TransposedGrad {
  const float* dy;      // n * oh * ow * oc
  const float* y;       // the forward output; null when act is linear
  Activation act;
  const float* kernel;  // [kh, kw, oc, c], row-major (Keras's layout)
  float* dx;            // like x
  float* dw;            // like the kernel
  float* db;            // oc floats, or null: no bias
};

void RunConv2DTransposeBackward(const TransposedGrad& g, const Conv2DShape& s, const float* x, const PlanTarget& t);

}  // namespace convkit
