#include "kernels/pack-weights.h"

#include "kernels/gemm.h"

namespace convkit {

size_t PackedWeightsSize(size_t k, size_t n) { return (n + kGemmNR - 1) / kGemmNR * kGemmNR * k; }

void PackWeights(size_t k, size_t n, const float* b, size_t row_stride, size_t col_stride,
                 float scale, float* packed) {
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR) {
    const size_t nc = n - n0 < kGemmNR ? n - n0 : kGemmNR;
    for (size_t kk = 0; kk < k; kk++) {
      const float* row = b + kk * row_stride + n0 * col_stride;
      size_t j = 0;
      if (scale == 1.0f) {
        for (; j < nc; j++) packed[j] = row[j * col_stride];
      } else {
        for (; j < nc; j++) packed[j] = scale * row[j * col_stride];
      }
      for (; j < kGemmNR; j++) packed[j] = 0.0f;
      packed += kGemmNR;
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
