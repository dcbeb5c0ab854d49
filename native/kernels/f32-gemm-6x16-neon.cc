// AArch64 NEON micro-kernel: 6 rows x 16 columns in 24 q-register accumulators (neon-tile-6x16.h),
// so nothing leaves the registers inside the k loop. (8x16 would need all 32 registers for the
// accumulators alone.)
#include "kernels/gemm.h"
#include "kernels/neon-tile-6x16.h"

namespace convkit {

void f32_gemm_6x16_neon(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                        const float* w, float* c, size_t ldc, unsigned flags, const float* bias,
                        float minv, float maxv) {
  PrefetchTile(c, ldc, mr, 16 * sizeof(float));
  Tile6x16Neon tile;
  if (a_rs == 1 && (mr == 6 || a_cs == 6)) {
    // A packed by PackA (or a transposed A): a step's 6 rows are adjacent and all real floats,
    // since either the tile is full or a_cs == 6 is PackA's stride, whose rows past mr are zeros.
    for (size_t k = 0; k < kc; k++, a += a_cs, w += kGemmNR) tile.StepColumn(a, w);
  } else {
    // A in place. Rows past mr alias the row above: they compute its values again and are never
    // stored.
    const float* a0 = a;
    const float* a1 = mr > 1 ? a0 + a_rs : a0;
    const float* a2 = mr > 2 ? a1 + a_rs : a1;
    const float* a3 = mr > 3 ? a2 + a_rs : a2;
    const float* a4 = mr > 4 ? a3 + a_rs : a3;
    const float* a5 = mr > 5 ? a4 + a_rs : a4;
    for (size_t k = 0, ka = 0; k < kc; k++, ka += a_cs, w += kGemmNR)
      tile.StepRows(a0 + ka, a1 + ka, a2 + ka, a3 + ka, a4 + ka, a5 + ka, w);
  }
  tile.Store(mr, c, ldc, flags, bias, minv, maxv);
}

}  // namespace convkit
