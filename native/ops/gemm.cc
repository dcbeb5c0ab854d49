#include "ops/gemm.h"

#include <algorithm>

#include "kernels/pack-weights.h"
#include "kernels/thread-pool.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

void RunGemm(const Plan& plan, const GemmArgs& g) {
  const Workspace packed = NewWorkspace(PackedWeightsSize(g.k, g.n));
  // B is packed by the plan's threads, each a run of whole panels (packing only moves floats, so
  // the split changes no bit): on one thread it took 7% of a 2048^3 GEMM on two.
  const size_t row_stride = g.trans_b ? 1 : g.n, col_stride = g.trans_b ? g.k : 1;
  const size_t panels = (g.n + kGemmNR - 1) / kGemmNR;
  const size_t per_task = (panels + plan.threads - 1) / plan.threads;
  ParallelFor(plan.threads, plan.threads, [&](size_t t, size_t) {
    const size_t n0 = std::min(g.n, t * per_task * kGemmNR), n1 = std::min(g.n, n0 + per_task * kGemmNR);
    if (n1 > n0) PackWeights(g.k, n1 - n0, g.b + n0 * col_stride, row_stride, col_stride, g.alpha, packed.get() + n0 * g.k);
  });

  // beta * C is written first and the product accumulated onto it.
  const bool has_c = g.c != nullptr && g.beta != 0.0f;
  if (has_c) {
    for (size_t i = 0; i < g.m; i++)
      for (size_t j = 0; j < g.n; j++)
        g.y[i * g.n + j] = g.beta * g.c[(g.c_rows == 1 ? 0 : i) * g.c_cols + (g.c_cols == 1 ? 0 : j)];
  }
  const ClampRange clamp = ClampFor(g.act.act);
  // A transposed A is read through its strides when the driver packs it: no copy.
  RunMatmul(plan, GemmProblem{g.m, g.n, g.k, g.a, g.trans_a ? 1 : g.k, g.trans_a ? g.m : 1, packed.get(),
                              g.y, g.n, nullptr, clamp.min, clamp.max, has_c});
  ApplyOutputActivation(g.act, g.y, g.n);
}

}  // namespace convkit
