// The AVX-512 micro-kernels' shared epilogue: one 16-column row of C. Include only after
// `#pragma GCC target("avx512f")`, from the AVX-512 kernels.
#pragma once
#include <immintrin.h>

#include "kernels/gemm.h"

namespace convkit {

// Stores v to c[0..16): added to C (kGemmAccumulate), then bias and the clamp (kGemmEpilogue).
// Operand order keeps NaN: max/min return the second operand when either is NaN.
static inline void StoreRow16Avx512(float* c, __m512 v, unsigned flags, const float* bias,
                                    __m512 vmin, __m512 vmax) {
  if (flags & kGemmAccumulate) v = _mm512_add_ps(_mm512_loadu_ps(c), v);
  if (flags & kGemmEpilogue) v = _mm512_min_ps(vmax, _mm512_max_ps(vmin, _mm512_add_ps(v, _mm512_loadu_ps(bias))));
  _mm512_storeu_ps(c, v);
}

// Two panels' worth: lo to c[0..16), hi to c[16..32), with bias[0..32).
static inline void StoreRow32Avx512(float* c, __m512 lo, __m512 hi, unsigned flags, const float* bias,
                                    __m512 vmin, __m512 vmax) {
  StoreRow16Avx512(c, lo, flags, bias, vmin, vmax);
  StoreRow16Avx512(c + kGemmNR, hi, flags, bias + kGemmNR, vmin, vmax);
}

}  // namespace convkit
