// Packs blocks of A into the order the GEMM micro-kernels read it: one stream per row tile.
#pragma once
#include <cstddef>

namespace convkit {

// Rows [0, rows) and steps [0, kc) of A, in tiles of mr rows: tile t, step k, row i lands at
// out[(t * kc + k) * mr + i]; rows past `rows` in the last tile are zeros. Element (i, k) of A is
// read at a[i * row_stride + k * col_stride], so a transposed A packs without a copy.
void PackA(size_t mr, size_t rows, size_t kc, const float* a, size_t row_stride,
           size_t col_stride, float* out);

// The same, vectorised for an ISA (IsaKernels::pack_a): the same floats in the same places, for
// the tile heights it has kernels for (others go to PackA).
using PackAFn = void (*)(size_t mr, size_t rows, size_t kc, const float* a, size_t row_stride,
                         size_t col_stride, float* out);
void x32_packa_avx(size_t mr, size_t rows, size_t kc, const float* a, size_t row_stride,
                   size_t col_stride, float* out);

}  // namespace convkit
