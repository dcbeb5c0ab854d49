// Sigmoid, tanh and softmax on float32 rows, each value computed in float64 (the C library's exp
// and tanh, accurate to about one ulp of a double) and rounded once to float32: the result is the
// correctly rounded activation but in rare ties, and the same bits on every thread. Mirrors
// assembly/kernels/f32-activations-f64.ts.
#pragma once
#include <cstddef>

namespace convkit {

// y[i] = 1 / (1 + exp(-y[i])) for i < n, in place.
void f32_sigmoid_f64(size_t n, float* y);
// y[i] = tanh(y[i]) for i < n, in place.
void f32_tanh_f64(size_t n, float* y);
// One row of n floats, in place: y[i] = exp(y[i] - max) / sum over j of exp(y[j] - max), the sum
// taken in order in float64. A row holding NaN or +infinity, or only -infinity, gives NaN.
void f32_softmax_f64(size_t n, float* y);

}  // namespace convkit
