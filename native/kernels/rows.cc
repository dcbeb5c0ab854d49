#include "kernels/rows.h"

#include <cstring>

namespace convkit {

extern const RowKernels f32_rows_scalar;
#if defined(__x86_64__) || defined(_M_X64)
extern const RowKernels f32_rows_avx2;
extern const RowKernels f32_rows_avx512f;
#endif

const RowKernels& RowKernelsFor(const IsaKernels& isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(isa.isa, "avx512f") == 0) return f32_rows_avx512f;
  if (std::strcmp(isa.isa, "avx2-fma") == 0) return f32_rows_avx2;
#endif
  return f32_rows_scalar;
}

}  // namespace convkit
