#include "kernels/pack-a.h"

namespace convkit {

void PackA(size_t mr, size_t rows, size_t kc, const float* a, size_t row_stride,
           size_t col_stride, float* out) {
  for (size_t r0 = 0; r0 < rows; r0 += mr, out += kc * mr) {
    const size_t tile = rows - r0 < mr ? rows - r0 : mr;
    // Row by row: each row of A is read in order, and the tile (mr * kc floats) stays in L1.
    for (size_t i = 0; i < tile; i++) {
      const float* src = a + (r0 + i) * row_stride;
      if (col_stride == 1) {
        for (size_t k = 0; k < kc; k++) out[k * mr + i] = src[k];
      } else {
        for (size_t k = 0; k < kc; k++) out[k * mr + i] = src[k * col_stride];
      }
    }
    for (size_t i = tile; i < mr; i++)
      for (size_t k = 0; k < kc; k++) out[k * mr + i] = 0.0f;
  }
}

}  // namespace convkit
