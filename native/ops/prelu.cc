#include "ops/prelu.h"

#include <algorithm>
#include <string>
#include <vector>

#include "kernels/thread-pool.h"

namespace convkit {

const PReluKernels& PReluKernelsFor(const IsaKernels* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  const std::string name = isa ? isa->isa : "";
  if (name == "avx512f") return f32_prelu_avx512f;
  if (name == "avx2-fma") return f32_prelu_avx2;
#endif
  return f32_prelu_scalar;
}

Plan PlanPRelu(size_t rows, size_t c, const PlanTarget& t) {
  Plan p = PlanBatchNorm(rows, c, t);
  p.path = Path::kPrelu;
  return p;
}

void RunPRelu(const Plan& plan, size_t c, const float* x, const float* alpha, float* y) {
  const PReluKernels& k = PReluKernelsFor(plan.kernels);
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, rows = std::min(plan.rows_per_task, plan.rows - r0);
    k.forward(rows, c, x + r0 * c, alpha, y + r0 * c);
  });
}

void RunPReluBackward(size_t m, size_t c, const float* x, const float* dy, const float* alpha, float* dx,
                      float* dalpha, const PlanTarget& t) {
  const PReluKernels& k = PReluKernelsFor(t.kernels);
  // Chunks of whole rows fixed by the shape, each summing into its own partial (a chunk's rows
  // stay in L2 while each vector of channels walks down them).
  const size_t chunk = std::max<size_t>(1, kBatchNormChunkFloats / c), chunks = (m + chunk - 1) / chunk;
  std::vector<double> partial(chunks * c);
  const size_t threads = double(m) * double(c) < t.parallel_activations ? 1 : t.threads;
  ParallelFor(chunks, threads, [&](size_t i, size_t) {
    const size_t r0 = i * chunk, rows = std::min(chunk, m - r0);
    k.backward(rows, c, x + r0 * c, dy + r0 * c, alpha, dx + r0 * c, partial.data() + i * c);
  });
  for (size_t j = 0; j < c; j++) {
    double sum = partial[j];
    for (size_t i = 1; i < chunks; i++) sum += partial[i * c + j];
    dalpha[j] = float(sum);
  }
}

}  // namespace convkit
