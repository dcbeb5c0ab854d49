// FMA peak loop for AVX2: 12 independent accumulators (with the two operands, 14 of the 16 ymm
// registers), no loads or stores inside the loop.
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "kernels/fma-peak.h"

namespace convkit {

double FmaPeakAvx2(size_t iterations) {
  // Inputs the compiler cannot see through, and 12 distinct chains it cannot merge.
  volatile float scale = 0.999999f, step = 1e-7f;
  const __m256 x = _mm256_set1_ps(scale), y = _mm256_set1_ps(step);
  __m256 v0 = _mm256_set1_ps(0), v1 = _mm256_set1_ps(1), v2 = _mm256_set1_ps(2), v3 = _mm256_set1_ps(3);
  __m256 v4 = _mm256_set1_ps(4), v5 = _mm256_set1_ps(5), v6 = _mm256_set1_ps(6), v7 = _mm256_set1_ps(7);
  __m256 v8 = _mm256_set1_ps(8), v9 = _mm256_set1_ps(9), v10 = _mm256_set1_ps(10), v11 = _mm256_set1_ps(11);
  for (size_t i = 0; i < iterations; i++) {
    v0 = _mm256_fmadd_ps(v0, x, y), v1 = _mm256_fmadd_ps(v1, x, y), v2 = _mm256_fmadd_ps(v2, x, y), v3 = _mm256_fmadd_ps(v3, x, y);
    v4 = _mm256_fmadd_ps(v4, x, y), v5 = _mm256_fmadd_ps(v5, x, y), v6 = _mm256_fmadd_ps(v6, x, y), v7 = _mm256_fmadd_ps(v7, x, y);
    v8 = _mm256_fmadd_ps(v8, x, y), v9 = _mm256_fmadd_ps(v9, x, y), v10 = _mm256_fmadd_ps(v10, x, y), v11 = _mm256_fmadd_ps(v11, x, y);
  }
  // The sum keeps the loop alive; it is never read.
  const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3)), _mm256_add_ps(_mm256_add_ps(v4, v5), _mm256_add_ps(v6, v7))),
                          _mm256_add_ps(_mm256_add_ps(v8, v9), _mm256_add_ps(v10, v11)));
  volatile float sink = _mm256_cvtss_f32(s);
  (void)sink;
  return 2.0 * 8 * 12 * double(iterations);
}

}  // namespace convkit
