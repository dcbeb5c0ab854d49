// The AVX2 micro-kernels' shared epilogue: one 16-column row of C. Include only after
// `#pragma GCC target("avx2,fma")`, from the AVX2 kernels.
#pragma once
#include <immintrin.h>

#include "kernels/gemm.h"

namespace convkit {

// Stores v0 | v1 to c[0..16): added to C (kGemmAccumulate), then bias and the clamp
// (kGemmEpilogue). Operand order keeps NaN: max/min return the second operand when either is NaN.
static inline void StoreRow16Avx2(float* c, __m256 v0, __m256 v1, unsigned flags, const float* bias,
                                  __m256 vmin, __m256 vmax) {
  if (flags & kGemmAccumulate) {
    v0 = _mm256_add_ps(_mm256_loadu_ps(c), v0);
    v1 = _mm256_add_ps(_mm256_loadu_ps(c + 8), v1);
  }
  if (flags & kGemmEpilogue) {
    v0 = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_add_ps(v0, _mm256_loadu_ps(bias))));
    v1 = _mm256_min_ps(vmax, _mm256_max_ps(vmin, _mm256_add_ps(v1, _mm256_loadu_ps(bias + 8))));
  }
  _mm256_storeu_ps(c, v0);
  _mm256_storeu_ps(c + 8, v1);
}

}  // namespace convkit
