#include "ops/activation.h"

#include <algorithm>

#include "kernels/f32-activations-f64.h"
#include "kernels/thread-pool.h"

namespace convkit {

OutputActivation PlanOutputActivation(Activation act, size_t rows, size_t cols, const PlanTarget& t) {
  return {act, PlanActivation(rows, cols, t)};
}

void ApplyOutputActivation(const OutputActivation& a, float* y, size_t cols) {
  if (ClampOnly(a.act)) return;
  const Plan& p = a.plan;
  ParallelFor(p.tasks, p.threads, [&](size_t task, size_t) {
    const size_t r0 = task * p.rows_per_task, r1 = std::min(p.rows, r0 + p.rows_per_task);
    float* rows = y + r0 * cols;
    if (a.act == kActivationSoftmax) {
      for (size_t r = r0; r < r1; r++, rows += cols) f32_softmax_f64(cols, rows);
    } else {
      f32_activation_f64(a.act, (r1 - r0) * cols, rows);
    }
  });
}

}  // namespace convkit
