// AArch64 NEON indirect micro-kernel: 6 rows x 16 columns in 24 q-register accumulators
// (neon-tile-6x16.h), A read through an indirection buffer (one pointer per row and window tap)
// instead of an im2col copy.
#include "kernels/igemm.h"
#include "kernels/neon-tile-6x16.h"

namespace convkit {

void f32_igemm_6x16_neon(size_t mr, size_t taps, size_t c, const float* const* ind,
                         size_t a_offset, const float* zero,
                         const float* w, float* out, size_t ldc, unsigned flags, const float* bias,
                         float minv, float maxv) {
  PrefetchTile(out, ldc, mr, 16 * sizeof(float));
  Tile6x16Neon tile;
  for (size_t t = 0; t < taps; t++, ind += 6) {
    const float* a0 = ShiftedRow(ind[0], zero, a_offset);
    const float* a1 = ShiftedRow(ind[1], zero, a_offset);
    const float* a2 = ShiftedRow(ind[2], zero, a_offset);
    const float* a3 = ShiftedRow(ind[3], zero, a_offset);
    const float* a4 = ShiftedRow(ind[4], zero, a_offset);
    const float* a5 = ShiftedRow(ind[5], zero, a_offset);
    for (size_t ch = 0; ch < c; ch++, w += kGemmNR)
      tile.StepRows(a0 + ch, a1 + ch, a2 + ch, a3 + ch, a4 + ch, a5 + ch, w);
  }
  tile.Store(mr, out, ldc, flags, bias, minv, maxv);
}

}  // namespace convkit
