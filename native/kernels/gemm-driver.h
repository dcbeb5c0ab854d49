// The blocked GEMM driver: C = clamp(A * W + bias) over a packed W, in cache-sized blocks.
// Mirrors assembly/kernels/gemm-driver.ts.
#pragma once
#include <cstddef>

#include "kernels/gemm.h"

namespace convkit {

struct GemmProblem {
  size_t m, n, k;     // all >= 1 (checked at the N-API boundary)
  const float* a;     // element (i, kk) of the m x k matrix at a[i * lda + kk * a_cs]
  size_t lda, a_cs;   // a_cs is 1 but for a transposed A
  const float* w;     // packed k x n (PackWeights)
  float* c;           // m x n, row stride ldc
  size_t ldc;
  const float* bias;  // n floats, or null
  float minv, maxv;   // the activation as a clamp
  bool accumulate;    // C already holds an addend (Gemm's beta * C)
  // Steps [k_begin, k_end) of K (k_end 0: all of K); without epilogue the bias and clamp are
  // left to the caller (a chunk of a split K).
  size_t k_begin = 0, k_end = 0;
  bool epilogue = true;
};

// How many tall tiles (the ISA's packed kernels, packed_mr rows) begin a packed block of `rows`
// rows; mr tiles (at most two) take the rest. The split that costs least, a tall row at 9 / 10
// of an mr row (12x32 at 98% of the FMA peak, 8x32 at 89%, bench --kernels): 96 rows are 8
// tiles of 12, 64 (D2) are 4 of 12 and 2 of 8, 16 are 2 of 8. 0 where packed_mr == mr. The bits
// never depend on it: every kernel sums a row's steps in the same order.
size_t TallTiles(size_t rows, size_t mr, size_t packed_mr);

// Floats of packed A that GemmTile needs for row ranges of up to `rows` rows (whole tiles of
// either height: at most the rows of an M block plus one tile's padding).
size_t PackedABlockFloats(size_t rows, size_t mr, size_t packed_mr, size_t k_block);

// Rows [m0, m1) and 16-column panels [p0, p1) of the problem with micro-kernel uk, K in blocks
// of k_block rows, on the calling thread. m0 is a multiple of uk.mr. pack is null (A is read in
// place) or holds PackedABlockFloats(m1 - m0, uk.mr, uk.packed_mr, k_block) floats: each block
// of A is then packed there once, in tall tiles then mr tiles (TallTiles), and read from there
// for every panel.
void GemmTile(const IsaKernels& uk, const GemmProblem& p, size_t m0, size_t m1, size_t p0,
              size_t p1, size_t k_block, float* pack);

// Panels [p0, p1) of rows [0, rows) of an indirect GEMM (kernels/igemm.h): ind holds the row
// tiles' pointers (IndirectionNhwc), each moved by a_offset bytes unless it is `zero`;
// K = taps * c; c is n columns with row stride ldc.
void IgemmTile(const IsaKernels& uk, size_t rows, size_t n, size_t p0, size_t p1, size_t taps, size_t channels,
               const float* const* ind, size_t a_offset, const float* zero, const float* w,
               float* c, size_t ldc, const float* bias, float minv, float maxv);

}  // namespace convkit
