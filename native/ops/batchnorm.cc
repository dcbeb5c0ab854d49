#include "ops/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/thread-pool.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

// Per-channel sums over m rows (ChannelSumsFn), chunk by chunk: chunks of rows fixed by the
// shape share out across threads, each writes its partial sums apart, then they are added in
// chunk order.
void ChannelSums(size_t m, size_t c, const float* x, const float* y, const float* u, const float* v, float* s1,
                 float* s2, const PlanTarget& t) {
  const BatchNormKernels& k = BatchNormKernelsFor(t.kernels);
  const size_t chunk = std::max<size_t>(1, kBatchNormChunkFloats / c), chunks = (m + chunk - 1) / chunk;
  if (chunks == 1) return k.sums(m, c, x, y, u, v, s1, s2);
  Workspace partial = NewWorkspace(chunks * 2 * c);
  const size_t threads = double(m) * double(c) < t.parallel_activations ? 1 : t.threads;
  ParallelFor(chunks, threads, [&](size_t i, size_t) {
    const size_t r0 = i * chunk, rows = std::min(chunk, m - r0);
    float* out = partial.get() + i * 2 * c;
    k.sums(rows, c, x + r0 * c, y + r0 * c, u, v, out, out + c);
  });
  std::memcpy(s1, partial.get(), c * sizeof(float));
  std::memcpy(s2, partial.get() + c, c * sizeof(float));
  for (size_t i = 1; i < chunks; i++) {
    const float* p = partial.get() + i * 2 * c;
    for (size_t j = 0; j < c; j++) s1[j] += p[j];
    for (size_t j = 0; j < c; j++) s2[j] += p[c + j];
  }
}

// y = x * s + t (+ (x2 - u) * s2) over m rows, in PlanBatchNorm's tasks.
void Affine(size_t m, size_t c, const float* x, const float* s, const float* t, const float* x2, const float* u,
            const float* s2, float* y, const PlanTarget& target) {
  const Plan plan = PlanBatchNorm(m, c, target);
  const BatchNormKernels& k = BatchNormKernelsFor(plan.kernels);
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, rows = std::min(plan.rows_per_task, m - r0);
    k.affine(rows, c, x + r0 * c, s, t, x2 ? x2 + r0 * c : nullptr, u, s2, ClampFor(kActivationLinear), y + r0 * c);
  });
}

}  // namespace

const BatchNormKernels& BatchNormKernelsFor(const IsaKernels* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  const std::string name = isa ? isa->isa : "";
  if (name == "avx512f") return f32_batchnorm_avx512f;
  if (name == "avx2-fma") return f32_batchnorm_avx2;
#endif
  return f32_batchnorm_scalar;
}

void RunBatchNorm(const Plan& plan, size_t c, const float* x, const float* st, ClampRange clamp, float* y) {
  const BatchNormKernels& k = BatchNormKernelsFor(plan.kernels);
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, rows = std::min(plan.rows_per_task, plan.rows - r0);
    k.affine(rows, c, x + r0 * c, st, st + c, nullptr, nullptr, nullptr, clamp, y + r0 * c);
  });
}

void RunBatchNormTraining(size_t m, size_t c, const float* x, const float* gamma, const float* beta, double epsilon,
                          float* y, float* mean, float* variance, const PlanTarget& t) {
  std::vector<float> zeros(c, 0.0f), s(c), shift(c);
  ChannelSums(m, c, x, x, zeros.data(), zeros.data(), mean, variance, t);
  for (size_t j = 0; j < c; j++) mean[j] = float(double(mean[j]) / double(m));
  ChannelSums(m, c, x, x, mean, mean, s.data(), variance, t);
  for (size_t j = 0; j < c; j++) {
    variance[j] = float(double(variance[j]) / double(m));
    // s and t in double, each rounded once.
    const double scale = (gamma ? double(gamma[j]) : 1.0) / std::sqrt(double(variance[j]) + epsilon);
    s[j] = float(scale);
    shift[j] = float((beta ? double(beta[j]) : 0.0) - double(mean[j]) * scale);
  }
  Affine(m, c, x, s.data(), shift.data(), nullptr, nullptr, nullptr, y, t);
}

void RunBatchNormBackward(size_t m, size_t c, const float* x, const float* dy, const float* mean,
                          const float* variance, const float* gamma, double epsilon, bool frozen, float* dx,
                          float* dgamma, float* dbeta, const PlanTarget& t) {
  std::vector<float> zeros(c, 0.0f), sum_dy_xc(c), a(c), b(c), shift(c);
  // dbeta = sum of dy; sum_dy_xc = sum of (x - mean) * dy.
  ChannelSums(m, c, x, dy, mean, zeros.data(), dbeta, sum_dy_xc.data(), t);
  for (size_t j = 0; j < c; j++) {
    const double inv = 1.0 / std::sqrt(double(variance[j]) + epsilon), g = gamma ? double(gamma[j]) : 1.0;
    const double n = double(m), s1 = double(dbeta[j]), s2 = double(sum_dy_xc[j]);
    dgamma[j] = float(s2 * inv);
    // dx = dy * a + shift + (x - mean) * b, with a = g / sigma, b = -g s2 / (m sigma^3).
    const double bj = -g * s2 * inv * inv * inv / n;
    a[j] = float(g * inv);
    b[j] = float(bj);
    shift[j] = frozen ? 0.0f : float(-g * inv * s1 / n);
  }
  Affine(m, c, dy, a.data(), shift.data(), frozen ? nullptr : x, mean, b.data(), dx, t);
}

}  // namespace convkit
