// Baseline indirect micro-kernel: portable C++, row by row as f32-gemm-4x16-scalar.cc.
#include "kernels/igemm.h"
#include "kernels/scalar-row.h"

namespace convkit {

void f32_igemm_4x16_scalar(size_t mr, size_t taps, size_t c, const float* const* ind,
                           size_t a_offset, const float* zero,
                           const float* w, float* out, size_t ldc, unsigned flags,
                           const float* bias, float minv, float maxv) {
  constexpr size_t MR = 4;
  for (size_t i = 0; i < mr; i++) {
    const float* wk = w;
    Row16 acc;
    for (size_t t = 0; t < taps; t++) {
      const float* row = ShiftedRow(ind[t * MR + i], zero, a_offset);
      for (size_t ch = 0; ch < c; ch++, wk += kGemmNR) acc.Add(row[ch], wk);
    }
    acc.Store(out + i * ldc, flags, bias, minv, maxv);
  }
}

}  // namespace convkit
