// GEMM micro-kernel contract: C[mr x 16] (+)= A[mr x kc] * W[kc x 16], A packed by PackA and W
// by PackWeights.
#pragma once
#include <cstddef>

#include "kernels/pack-a.h"

#include "generated/kernels.h"  // kGemmNR, kGemmMaxMR and the list of micro-kernels
#include "kernels/dwconv.h"
#include "kernels/maxpool.h"
#include "kernels/winograd.h"

namespace convkit {

enum GemmFlags : unsigned {
  kGemmAccumulate = 1,  // add to what C holds instead of overwriting it
  kGemmEpilogue = 2,    // last K block: add bias, then clamp to [minv, maxv]
};

// C[mr x 16] (+)= A * W over kc steps. Step k of row i of A is a[i * a_rs + k * a_cs]: a_rs = lda
// and a_cs = 1 read A in place, a_rs = 1 and a_cs = MR read a block packed by PackA. Rows past
// mr alias the row above and are never written. w is kc rows of 16 floats; bias is 16 floats
// (read only with kGemmEpilogue).
using GemmUkernelFn = void (*)(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                               const float* w, float* c, size_t ldc, unsigned flags,
                               const float* bias, float minv, float maxv);
// The same over two full panels at once: columns 0-15 from w0, 16-31 from w1 (the next panel),
// bias 32 floats. Twice the FMAs per broadcast of A, where the register file allows it.
using GemmPairFn = void (*)(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs,
                            const float* w0, const float* w1, float* c, size_t ldc, unsigned flags,
                            const float* bias, float minv, float maxv);

// One row over four full panels at once: columns 16p..16p+15 from w + p * panel_stride floats,
// bias 64 floats. Four weight streams in flight for a GEMV (a single row is bound by reading the
// weights); a column sums its steps as the one-row kernels do, so its bits are theirs.
using GemmRowQuadFn = void (*)(size_t kc, const float* a, size_t a_cs, const float* w, size_t panel_stride,
                               float* c, unsigned flags, const float* bias, float minv, float maxv);

// Indirect GEMM (kernels/igemm.h): C[mr x 16] (+)= sum over taps t and channels ch of
// ind[t * MR + i][ch] * W, then bias and clamp with kGemmEpilogue (flags as for GEMM): ind
// holds MR pointers per tap (rows past mr repeat a real row and are never stored), each moved
// by a_offset bytes unless it is `zero` (ShiftedRow in igemm.h); w is taps * c rows of 16
// floats; bias 16 floats (zeros for none).
using IgemmFn = void (*)(size_t mr, size_t taps, size_t c, const float* const* ind, size_t a_offset,
                         const float* zero, const float* w, float* out, size_t ldc, unsigned flags,
                         const float* bias, float minv, float maxv);
// The same over two full panels: columns 0-15 from w0, 16-31 from w1; bias 32 floats.
using IgemmPairFn = void (*)(size_t mr, size_t taps, size_t c, const float* const* ind,
                             size_t a_offset, const float* zero, const float* w0, const float* w1,
                             float* out, size_t ldc, unsigned flags, const float* bias, float minv,
                             float maxv);

// Asks for the mr rows of a C tile (`bytes` per row) while the k loop runs: the epilogue adds
// to C and stores it, and C is too large to stay cached between K blocks, so a load issued
// only then would stall the kernel for its whole latency.
inline void PrefetchTile(const float* c, size_t ldc, size_t mr, size_t bytes) {
  for (size_t i = 0; i < mr; i++) {
    const char* row = reinterpret_cast<const char*>(c + i * ldc);
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(row + b, 1, 3);
  }
}

// The micro-kernels of one ISA (the list is kernels.json's).
struct IsaKernels {
  const char* isa;  // name reported by backendInfo()
  size_t mr;
  GemmUkernelFn fn;
  GemmUkernelFn row;  // for a single-row problem, or null to use fn
  GemmPairFn pair;      // for two full panels, or null
  GemmPairFn row_pair;  // the one-row kernel over two full panels, or null
  GemmRowQuadFn row_quad;  // the one-row kernel over four full panels, or null
  MaxPoolFn maxpool;       // max- and average-pooling (kernels/maxpool.h)
  IgemmFn igemm;            // convolution through an indirection buffer
  IgemmPairFn igemm_pair;   // the same over two full panels, or null
  PackAFn pack_a;           // packs A in tiles of mr or packed_mr rows, or null for PackA
  // Taller kernels for a GEMM whose A the driver packs (the tall tiles of TallTiles, packed_mr
  // rows): they read A only as packed tiles (a_rs 1, a_cs packed_mr, rows past mr zero-padded).
  // The same as mr, fn and pair where the ISA has no taller kernel.
  size_t packed_mr;
  GemmUkernelFn packed_fn;
  GemmPairFn packed_pair;
  const WinogradTransforms* winograd;  // Winograd F(2x2, 3x3)'s transforms, at the ISA's width
  DwconvFn dwconv;                     // depthwise convolution over tap pointers
};

#define CONVKIT_DECLARE_GEMM(fn)                                                              \
  void fn(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs, const float* w,    \
          float* c, size_t ldc, unsigned flags, const float* bias, float minv, float maxv);
#define CONVKIT_DECLARE_GEMM_PAIR(fn)                                                         \
  void fn(size_t mr, size_t kc, const float* a, size_t a_rs, size_t a_cs, const float* w0,   \
          const float* w1, float* c, size_t ldc, unsigned flags, const float* bias,          \
          float minv, float maxv);
#define CONVKIT_DECLARE_GEMM_ROW_QUAD(fn)                                                     \
  void fn(size_t kc, const float* a, size_t a_cs, const float* w, size_t panel_stride, float* c, \
          unsigned flags, const float* bias, float minv, float maxv);
CONVKIT_GEMM_FUNCTIONS(CONVKIT_DECLARE_GEMM)
CONVKIT_GEMM_PAIR_FUNCTIONS(CONVKIT_DECLARE_GEMM_PAIR)
CONVKIT_GEMM_ROW_QUAD_FUNCTIONS(CONVKIT_DECLARE_GEMM_ROW_QUAD)
#define CONVKIT_DECLARE_WINOGRAD(transforms) extern const WinogradTransforms transforms;
CONVKIT_WINOGRAD_TRANSFORMS(CONVKIT_DECLARE_WINOGRAD)
#undef CONVKIT_DECLARE_WINOGRAD
#undef CONVKIT_DECLARE_GEMM
#undef CONVKIT_DECLARE_GEMM_PAIR
#undef CONVKIT_DECLARE_GEMM_ROW_QUAD

}  // namespace convkit
