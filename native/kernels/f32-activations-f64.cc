#include "kernels/f32-activations-f64.h"

#include <cmath>

namespace convkit {

void f32_sigmoid_f64(size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = float(1.0 / (1.0 + std::exp(-double(y[i]))));
}

void f32_tanh_f64(size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = float(std::tanh(double(y[i])));
}

void f32_softmax_f64(size_t n, float* y) {
  // Subtracting the row's max keeps every exp in (0, 1]: no overflow whatever the logits. A NaN
  // never wins the comparison but reaches the sum; +inf - inf is NaN; both make the row NaN.
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) max = double(y[i]) > max ? double(y[i]) : max;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += std::exp(double(y[i]) - max);
  for (size_t i = 0; i < n; i++) y[i] = float(std::exp(double(y[i]) - max) / sum);
}

}  // namespace convkit
