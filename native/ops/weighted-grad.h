// The backward pass of a layer y = act(A * W + bias), A the m x k input rows (Dense: x itself;
// Conv2D: im2col(x), expanded segment by segment), W the k x n kernel (TensorFlow's
// Conv2DBackpropFilter / Conv2DBackpropInput, Caffe's col2im): g = dy through the activation's
// derivative (from the forward output y), then on the packed GEMM
//   dW = A^T * g,  db = column sums of g,  dA = g * W^T, folded back into dx (col2im for Conv2D).
// Every reduction has an order fixed by the shape: the segments run in order, each GEMM's K
// split is the shape's (PlanGemm), db sums rows in order, col2im adds rows in order and runs in
// parallel only across images. So the bits never depend on the thread count.
#pragma once
#include <cstddef>

#include "kernels/activation.h"
#include "ops/plan.h"

namespace convkit {

struct WeightedGrad {
  size_t m, k, n;      // A is m x k, W is k x n, dy and y are m x n
  const float* dy;
  const float* y;      // the forward output; null when act is linear
  Activation act;      // whose derivative dy goes through (linear: none)
  const float* kernel; // W, row-major
  float* dx;           // shaped like the layer's input
  float* dw;           // k x n
  float* db;           // n floats, or null: no bias
};

void RunDenseBackward(const WeightedGrad& g, const float* x, const PlanTarget& t);
void RunConv2DBackward(const WeightedGrad& g, const Conv2DShape& s, const float* x, const PlanTarget& t);

// The steps other backward passes share (conv2d-transpose-grad.cc): c (m x n, row stride n) =
// a (element (i, kk) at a[i * lda + kk * a_cs]) times packed w, or added onto c, on the plan's
// threads; and db = the column sums of g (m x n), each in float64 over the rows in order.
void Product(size_t m, size_t n, size_t k, const float* a, size_t lda, size_t a_cs, const float* w, float* c,
             bool accumulate, const PlanTarget& t);
void ColumnSums(const float* g, size_t m, size_t n, float* db);

}  // namespace convkit
