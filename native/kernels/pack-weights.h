// Packs a K x N weight matrix into the panel layout every GEMM micro-kernel reads.
#pragma once
#include <cstddef>

namespace convkit {

// Floats in the packed form of a K x N matrix: ceil(N / 16) panels of K rows x 16 columns, the
// last panel zero-padded. Must match packedWeightsLength() in lib/backends/backend.ts.
size_t PackedWeightsSize(size_t k, size_t n);

// packed[(p*K + k)*16 + j] = scale * B(k, p*16 + j), or 0 past column N. B(k, n) is read at
// b[k*row_stride + n*col_stride], so a transposed B packs without a copy.
void PackWeights(size_t k, size_t n, const float* b, size_t row_stride, size_t col_stride,
                 float scale, float* packed);

// The inverse of PackWeights with unit scale and strides: b = the k x n matrix, row-major.
void UnpackWeights(size_t k, size_t n, const float* packed, float* b);

}  // namespace convkit
