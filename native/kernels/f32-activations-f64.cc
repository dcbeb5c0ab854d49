#include "kernels/f32-activations-f64.h"

#include <cmath>

#include "kernels/activation-f64.h"

namespace convkit {

void f32_activation_f64(Activation act, size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = float(ActivationF64(act, double(y[i])));
}

void f32_softmax_f64(size_t n, float* y, size_t stride) {
  // Subtracting the row's max keeps every exp in (0, 1]: no overflow whatever the logits. A NaN
  // never wins the comparison but reaches the sum; +inf - inf is NaN; both make the row NaN.
  double max = -INFINITY;
  for (size_t i = 0; i < n * stride; i += stride) max = double(y[i]) > max ? double(y[i]) : max;
  double sum = 0.0;
  for (size_t i = 0; i < n * stride; i += stride) sum += std::exp(double(y[i]) - max);
  for (size_t i = 0; i < n * stride; i += stride) y[i] = float(std::exp(double(y[i]) - max) / sum);
}

}  // namespace convkit
