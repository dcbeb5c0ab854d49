// Baseline micro-kernel: portable C++ (4-float vectors the compiler maps to the baseline ISA,
// SSE2 on x86-64). Always present, so convkit runs on any CPU.
#include "kernels/gemm.h"
#include "kernels/scalar-row.h"

namespace convkit {

void f32_gemm_4x16_scalar(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                          const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                          float minv, float maxv) {
  // Row by row: one row's 16 accumulators fit the baseline's registers (SSE2: 4 of 16), where
  // a whole 4x16 tile would spill. W is read once per row, from L1.
  for (size_t i = 0; i < mr; i++) {
    const float* ai = a + i * a_rs;
    const float* wk = w;
    Row16 acc;
    for (size_t k = 0; k < kc; k++, wk += kGemmNR) acc.Add(ai[k * a_cs], wk);
    acc.Store(c + i * ldc, flags, bias, minv, maxv);
  }
}

}  // namespace convkit
