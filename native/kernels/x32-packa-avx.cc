// PackA for 8- and 12-row tiles (kernels/pack-a.h) with AVX: each block of 8 rows x 8 steps is
// loaded as 8 vectors and transposed in registers, and a 12-row tile's other 4 rows as 4x4
// blocks, so the packed stream is written 8 and 4 floats at a time instead of one. About 3.4x
// the portable loop (8 rows), which was 2-5% of a GEMM like D2 or 2048^3.
// Compiled for AVX through the target pragma only; it runs only where an AVX-512 or AVX2 ISA
// is chosen (cpu-features.cc).
#pragma GCC target("avx")
#include <immintrin.h>

#include "kernels/pack-a.h"

namespace convkit {
namespace {

// out[k * ld + i] = row i, step k, for the 8 steps of r0..r7 (one row each).
inline void StoreTransposed8x8(__m256 r0, __m256 r1, __m256 r2, __m256 r3, __m256 r4, __m256 r5,
                               __m256 r6, __m256 r7, float* out, size_t ld) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(out + 1 * ld, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(out + 2 * ld, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(out + 3 * ld, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(out + 4 * ld, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(out + 5 * ld, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(out + 6 * ld, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(out + 7 * ld, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// The same for 4 rows of 4 steps: out[k * ld + i].
inline void StoreTransposed4x4(__m128 r0, __m128 r1, __m128 r2, __m128 r3, float* out, size_t ld) {
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  _mm_storeu_ps(out, r0);
  _mm_storeu_ps(out + ld, r1);
  _mm_storeu_ps(out + 2 * ld, r2);
  _mm_storeu_ps(out + 3 * ld, r3);
}

// Whole tiles of MR rows (8 or 12) of A in place; returns the rows packed.
template <size_t MR>
size_t PackTiles(size_t rows, size_t kc, const float* a, size_t rs, float* out) {
  const size_t full = rows / MR * MR;
  for (size_t r0 = 0; r0 < full; r0 += MR, out += kc * MR) {
    const float* s = a + r0 * rs;
    const float* t = s + 8 * rs;  // rows 8-11 of a 12-row tile
    size_t k = 0;
    for (; k + 8 <= kc; k += 8) {
      StoreTransposed8x8(_mm256_loadu_ps(s + k), _mm256_loadu_ps(s + rs + k),
                         _mm256_loadu_ps(s + 2 * rs + k), _mm256_loadu_ps(s + 3 * rs + k),
                         _mm256_loadu_ps(s + 4 * rs + k), _mm256_loadu_ps(s + 5 * rs + k),
                         _mm256_loadu_ps(s + 6 * rs + k), _mm256_loadu_ps(s + 7 * rs + k),
                         out + k * MR, MR);
      if (MR == 12)
        for (size_t h = 0; h < 8; h += 4)
          StoreTransposed4x4(_mm_loadu_ps(t + k + h), _mm_loadu_ps(t + rs + k + h),
                             _mm_loadu_ps(t + 2 * rs + k + h), _mm_loadu_ps(t + 3 * rs + k + h),
                             out + (k + h) * MR + 8, MR);
    }
    for (; k < kc; k++)
      for (size_t i = 0; i < MR; i++) out[k * MR + i] = s[i * rs + k];
  }
  return full;
}

}  // namespace

void x32_packa_avx(size_t mr, size_t rows, size_t kc, const float* a, size_t row_stride,
                   size_t col_stride, float* out) {
  // Other tile heights, a transposed A (col_stride > 1) and a last partial tile take the
  // portable loop.
  size_t full = 0;
  if (col_stride == 1 && mr == 8) full = PackTiles<8>(rows, kc, a, row_stride, out);
  if (col_stride == 1 && mr == 12) full = PackTiles<12>(rows, kc, a, row_stride, out);
  if (full < rows) PackA(mr, rows - full, kc, a + full * row_stride, row_stride, col_stride, out + full * kc);
}

}  // namespace convkit
