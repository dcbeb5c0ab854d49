#include "ops/gemm.h"

#include "kernels/pack-weights.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

void RunGemm(const Plan& plan, const GemmArgs& g) {
  const std::unique_ptr<float[]> packed = NewWorkspace(PackedWeightsSize(g.k, g.n));
  PackWeights(g.k, g.n, g.b, g.trans_b ? 1 : g.n, g.trans_b ? g.k : 1, g.alpha, packed.get());

  const float* a = g.a;
  std::unique_ptr<float[]> a_rows;
  if (g.trans_a) {  // the micro-kernels read A by rows
    a_rows = NewWorkspace(g.m * g.k);
    for (size_t i = 0; i < g.m; i++)
      for (size_t kk = 0; kk < g.k; kk++) a_rows[i * g.k + kk] = g.a[kk * g.m + i];
    a = a_rows.get();
  }

  // beta * C is written first and the product accumulated onto it.
  const bool has_c = g.c != nullptr && g.beta != 0.0f;
  if (has_c) {
    for (size_t i = 0; i < g.m; i++)
      for (size_t j = 0; j < g.n; j++)
        g.y[i * g.n + j] = g.beta * g.c[(g.c_rows == 1 ? 0 : i) * g.c_cols + (g.c_cols == 1 ? 0 : j)];
  }
  const ClampRange clamp = ClampFor(g.act);
  RunMatmul(plan, GemmProblem{g.m, g.n, g.k, a, g.k, packed.get(), g.y, g.n, nullptr, clamp.min,
                      clamp.max, has_c});
}

}  // namespace convkit
