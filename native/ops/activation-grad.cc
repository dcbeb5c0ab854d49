#include "ops/activation-grad.h"

#include <algorithm>
#include <cstring>

#include "kernels/activation-f64.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace {

void GradRows(Activation act, const float* dy, const float* y, size_t rows, size_t cols, float* g) {
  const size_t count = rows * cols;
  switch (act) {
    case kActivationRelu:  // no gradient where the output is 0 (the input was at or below 0)
      for (size_t i = 0; i < count; i++) g[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case kActivationSoftmax:
      for (size_t r = 0; r < rows; r++, dy += cols, y += cols, g += cols) {
        double dot = 0;
        for (size_t j = 0; j < cols; j++) dot += double(dy[j]) * double(y[j]);
        for (size_t j = 0; j < cols; j++) g[j] = float(double(y[j]) * (double(dy[j]) - dot));
      }
      break;
    case kActivationLinear:
      std::memcpy(g, dy, count * sizeof(float));
      break;
    default:  // f'(z) from y, or from z itself for ActivationFromInput(act)
      for (size_t i = 0; i < count; i++) g[i] = float(double(dy[i]) * ActivationDerivativeF64(act, double(y[i])));
  }
}

}  // namespace

void ActivationGrad(Activation act, const float* dy, const float* y, size_t rows, size_t cols, float* g,
                    const PlanTarget& t) {
  const Plan p = PlanActivation(rows, cols, t);
  ParallelFor(p.tasks, p.threads, [&](size_t task, size_t) {
    const size_t r0 = task * p.rows_per_task, r1 = std::min(rows, r0 + p.rows_per_task), at = r0 * cols;
    GradRows(act, dy + at, y ? y + at : nullptr, r1 - r0, cols, g + at);
  });
}

}  // namespace convkit
