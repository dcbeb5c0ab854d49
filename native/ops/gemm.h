// General GEMM with ONNX Gemm semantics: y = act(alpha * op(A) * op(B) + beta * C).
#pragma once
#include <cstddef>

#include "ops/activation.h"
#include "ops/plan.h"

namespace convkit {

struct GemmArgs {
  size_t m, n, k;         // op(A) is m x k, op(B) is k x n
  const float* a;         // m x k, or k x m when trans_a
  bool trans_a;
  const float* b;         // k x n, or n x k when trans_b
  bool trans_b;
  float alpha, beta;
  const float* c;         // null, or c_rows x c_cols broadcast to m x n
  size_t c_rows, c_cols;  // each 1 or the full extent
  OutputActivation act;  // over the m x n output
  float* y;               // m x n
};

// Packs B (with alpha folded in): O(k * n) scratch; a transposed A is read through strides.
// plan: PlanGemm(m, n, k, ...).
void RunGemm(const Plan& plan, const GemmArgs& g);

}  // namespace convkit
