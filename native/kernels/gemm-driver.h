// The blocked GEMM driver: C = clamp(A * W + bias) over a packed W, in cache-sized blocks.
// Mirrors assembly/kernels/gemm-driver.ts.
#pragma once
#include <cstddef>

#include "kernels/gemm.h"

namespace convkit {

struct GemmProblem {
  size_t m, n, k;     // all >= 1 (checked at the N-API boundary)
  const float* a;     // m x k, row stride lda
  size_t lda;
  const float* w;     // packed k x n (PackWeights)
  float* c;           // m x n, row stride ldc
  size_t ldc;
  const float* bias;  // n floats, or null
  float minv, maxv;   // the activation as a clamp
  bool accumulate;    // C already holds an addend (Gemm's beta * C)
};

// Rows [m0, m1) and 16-column panels [p0, p1) of the problem with micro-kernel uk, K in blocks
// of k_block rows, on the calling thread.
void GemmTile(const GemmUkernel& uk, const GemmProblem& p, size_t m0, size_t m1, size_t p0,
              size_t p1, size_t k_block);

}  // namespace convkit
