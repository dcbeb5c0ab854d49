// The elementwise merge kernel over 16 floats (kernels/vbinary-loop.h), compiled for AVX-512F
// through the target pragma only; it runs only when cpu-features.cc chose the AVX-512 set.
#pragma GCC target("avx512f")
#include "kernels/vbinary-loop.h"
#include "kernels/vbinary.h"

namespace convkit {

typedef float F32x16 __attribute__((vector_size(64)));

void f32_vbinary_avx512f(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                         float divisor, float* y) {
  vbinary_loop::Run<F32x16>(mode, n, a, a_inc, b, b_inc, divisor, y);
}

}  // namespace convkit
