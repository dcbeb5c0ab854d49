// Activations on float32 rows, each value computed in float64 (kernels/activation-f64.h: the C
// library's exp, tanh, erfc..., accurate to about one ulp of a double) and rounded once to
// float32: the result is the correctly rounded activation but in rare ties, and the same bits on
// every thread. Mirrors assembly/kernels/f32-activations-f64.ts.
#pragma once
#include <cstddef>

#include "generated/kernels.h"

namespace convkit {

// y[i] = f(y[i]) for i < n, in place, f an elementwise activation (ActivationF64).
void f32_activation_f64(Activation act, size_t n, float* y);
// One row of n floats, in place: y[i] = exp(y[i] - max) / sum over j of exp(y[j] - max), the sum
// taken in order in float64. A row holding NaN or +infinity, or only -infinity, gives NaN.
void f32_softmax_f64(size_t n, float* y, size_t stride = 1);

}  // namespace convkit
