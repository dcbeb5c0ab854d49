#include "kernels/pack-weights.h"

#include "kernels/gemm.h"

namespace convkit {

size_t PackedWeightsSize(size_t k, size_t n) { return (n + kGemmNR - 1) / kGemmNR * kGemmNR * k; }

void PackWeights(size_t k, size_t n, const float* b, size_t row_stride, size_t col_stride,
                 float scale, float* packed) {
  // In blocks of kBlockRows rows of B: a block (of a large B, 64 x 8 KiB) stays in L2 and in the
  // TLB's reach while each panel takes its slice, where a whole panel at a time walked all of B
  // a page per row. A transposed B (col_stride > 1) is read down its columns, which are then
  // contiguous.
  constexpr size_t kBlockRows = 64;
  for (size_t k0 = 0; k0 < k; k0 += kBlockRows) {
    const size_t kb = k - k0 < kBlockRows ? k - k0 : kBlockRows;
    for (size_t n0 = 0; n0 < n; n0 += kGemmNR) {
      const size_t nc = n - n0 < kGemmNR ? n - n0 : kGemmNR;
      float* out = packed + (n0 * k + k0 * kGemmNR);
      const float* src = b + k0 * row_stride + n0 * col_stride;
      // Unscaled floats are moved, not multiplied by 1: unpacking returns their exact bits.
      if (col_stride == 1 && scale == 1.0f) {
        for (size_t kk = 0; kk < kb; kk++)
          for (size_t j = 0; j < nc; j++) out[kk * kGemmNR + j] = src[kk * row_stride + j];
      } else if (col_stride == 1) {
        for (size_t kk = 0; kk < kb; kk++)
          for (size_t j = 0; j < nc; j++) out[kk * kGemmNR + j] = scale * src[kk * row_stride + j];
      } else {
        for (size_t j = 0; j < nc; j++)
          for (size_t kk = 0; kk < kb; kk++) out[kk * kGemmNR + j] = scale * src[kk * row_stride + j * col_stride];
      }
      for (size_t kk = 0; kk < kb; kk++)
        for (size_t j = nc; j < kGemmNR; j++) out[kk * kGemmNR + j] = 0.0f;
    }
  }
}

void UnpackWeights(size_t k, size_t n, const float* packed, float* b) {
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR) {
    const size_t nc = n - n0 < kGemmNR ? n - n0 : kGemmNR;
    for (size_t kk = 0; kk < k; kk++, packed += kGemmNR)
      for (size_t j = 0; j < nc; j++) b[kk * n + n0 + j] = packed[j];
  }
}

}  // namespace convkit
