// The elementwise merge kernel over 8 floats (kernels/vbinary-loop.h), compiled for AVX2 through
// the target pragma only; it runs only when cpu-features.cc chose an AVX2 or wider kernel set.
#pragma GCC target("avx2")
#include "kernels/vbinary-loop.h"
#include "kernels/vbinary.h"

namespace convkit {

typedef float F32x8 __attribute__((vector_size(32)));

void f32_vbinary_avx2(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                      float divisor, float* y) {
  vbinary_loop::Run<F32x8>(mode, n, a, a_inc, b, b_inc, divisor, y);
}

}  // namespace convkit
