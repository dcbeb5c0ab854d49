// FMA peak loop for AVX-512: 16 independent accumulators, no loads or stores inside the loop.
#pragma GCC target("avx512f")
#include <immintrin.h>

#include "kernels/fma-peak.h"

namespace convkit {

double FmaPeakAvx512(size_t iterations) {
  // Inputs the compiler cannot see through, and 16 distinct chains it cannot merge.
  volatile float scale = 0.999999f, step = 1e-7f;
  const __m512 x = _mm512_set1_ps(scale), y = _mm512_set1_ps(step);
  __m512 v0 = _mm512_set1_ps(0), v1 = _mm512_set1_ps(1), v2 = _mm512_set1_ps(2), v3 = _mm512_set1_ps(3);
  __m512 v4 = _mm512_set1_ps(4), v5 = _mm512_set1_ps(5), v6 = _mm512_set1_ps(6), v7 = _mm512_set1_ps(7);
  __m512 v8 = _mm512_set1_ps(8), v9 = _mm512_set1_ps(9), v10 = _mm512_set1_ps(10), v11 = _mm512_set1_ps(11);
  __m512 v12 = _mm512_set1_ps(12), v13 = _mm512_set1_ps(13), v14 = _mm512_set1_ps(14), v15 = _mm512_set1_ps(15);
  for (size_t i = 0; i < iterations; i++) {
    v0 = _mm512_fmadd_ps(v0, x, y), v1 = _mm512_fmadd_ps(v1, x, y), v2 = _mm512_fmadd_ps(v2, x, y), v3 = _mm512_fmadd_ps(v3, x, y);
    v4 = _mm512_fmadd_ps(v4, x, y), v5 = _mm512_fmadd_ps(v5, x, y), v6 = _mm512_fmadd_ps(v6, x, y), v7 = _mm512_fmadd_ps(v7, x, y);
    v8 = _mm512_fmadd_ps(v8, x, y), v9 = _mm512_fmadd_ps(v9, x, y), v10 = _mm512_fmadd_ps(v10, x, y), v11 = _mm512_fmadd_ps(v11, x, y);
    v12 = _mm512_fmadd_ps(v12, x, y), v13 = _mm512_fmadd_ps(v13, x, y), v14 = _mm512_fmadd_ps(v14, x, y), v15 = _mm512_fmadd_ps(v15, x, y);
  }
  // The sum keeps the loop alive; it is never read.
  const __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(v0, v1), _mm512_add_ps(v2, v3)), _mm512_add_ps(_mm512_add_ps(v4, v5), _mm512_add_ps(v6, v7))),
                          _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(v8, v9), _mm512_add_ps(v10, v11)), _mm512_add_ps(_mm512_add_ps(v12, v13), _mm512_add_ps(v14, v15))));
  volatile float sink = _mm512_cvtss_f32(s);
  (void)sink;
  return 2.0 * 16 * 16 * double(iterations);
}

}  // namespace convkit
