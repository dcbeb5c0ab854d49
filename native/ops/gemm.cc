#include "ops/gemm.h"

#include "kernels/pack-weights.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

void RunGemm(const Plan& plan, const GemmArgs& g) {
  const Workspace packed = NewWorkspace(PackedWeightsSize(g.k, g.n));
  PackWeights(g.k, g.n, g.b, g.trans_b ? 1 : g.n, g.trans_b ? g.k : 1, g.alpha, packed.get());

  // beta * C is written first and the product accumulated onto it.
  const bool has_c = g.c != nullptr && g.beta != 0.0f;
  if (has_c) {
    for (size_t i = 0; i < g.m; i++)
      for (size_t j = 0; j < g.n; j++)
        g.y[i * g.n + j] = g.beta * g.c[(g.c_rows == 1 ? 0 : i) * g.c_cols + (g.c_cols == 1 ? 0 : j)];
  }
  const ClampRange clamp = ClampFor(g.act);
  // A transposed A is read through its strides when the driver packs it: no copy.
  RunMatmul(plan, GemmProblem{g.m, g.n, g.k, g.a, g.trans_a ? 1 : g.k, g.trans_a ? g.m : 1, packed.get(),
                              g.y, g.n, nullptr, clamp.min, clamp.max, has_c});
}

}  // namespace convkit
