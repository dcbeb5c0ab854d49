// The elementwise merge kernel over 4-float vectors (kernels/vbinary-loop.h): SSE2 on x86-64,
// NEON on AArch64, plain floats for the tail. The baseline every build holds.
#include "kernels/vbinary-loop.h"
#include "kernels/vbinary.h"

namespace convkit {

typedef float F32x4 __attribute__((vector_size(16)));

void f32_vbinary_scalar(int mode, size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float divisor, float* y) {
  vbinary_loop::Run<F32x4>(mode, n, a, a_inc, b, b_inc, divisor, y);
}

}  // namespace convkit
