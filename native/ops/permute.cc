#include "ops/permute.h"

#include <algorithm>
#include <cstring>

#include "kernels/thread-pool.h"

namespace convkit {
namespace {

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }
constexpr size_t kFloatsPerTask = 16384;

}  // namespace

Plan PlanPermute(const Nhwc& in, const size_t perm[3], const PlanTarget& t) {
  const size_t d[3] = {in.h, in.w, in.c}, row = d[perm[1]] * d[perm[2]];
  Plan p{};
  p.path = Path::kPermute;
  p.kernels = t.kernels;
  p.rows = in.n * d[perm[0]];
  p.rows_per_task = std::max(CeilDiv(kFloatsPerTask, row), CeilDiv(p.rows, kMaxTasks));
  p.tasks = CeilDiv(p.rows, p.rows_per_task);
  const double reads = double(in.n * in.h * in.w) * double(in.c);
  p.threads = reads < t.parallel_reads ? 1 : std::max<size_t>(1, std::min(t.threads, p.tasks));
  return p;
}

void RunPermute(const Plan& plan, const Nhwc& in, const size_t perm[3], const float* x, float* y) {
  const size_t d[3] = {in.h, in.w, in.c}, stride[3] = {in.w * in.c, in.c, 1};
  const size_t o0 = d[perm[0]], o1 = d[perm[1]], o2 = d[perm[2]];
  const size_t s0 = stride[perm[0]], s1 = stride[perm[1]], s2 = stride[perm[2]], sample = in.h * in.w * in.c;
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    for (size_t r = r0; r < r1; r++) {
      const float* src = x + r / o0 * sample + r % o0 * s0;
      float* out = y + r * o1 * o2;
      for (size_t i1 = 0; i1 < o1; i1++, out += o2) {
        const float* line = src + i1 * s1;
        if (s2 == 1) std::memcpy(out, line, o2 * sizeof(float));
        else for (size_t i2 = 0; i2 < o2; i2++) out[i2] = line[i2 * s2];
      }
    }
  });
}

}  // namespace convkit
