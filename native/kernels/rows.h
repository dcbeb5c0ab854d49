// Element-wise kernels over a run of channels (NHWC keeps a pixel's channels contiguous): the
// transposed convolution's scatter-add, UpSampling2D's bilinear blend and its backward's weighted
// add. Written once (kernels/f32-rows.h) and compiled per ISA; products are rounded before they
// are added (no contraction into FMA), so every width gives the same bits.
#pragma once
#include <cstddef>

#include "kernels/gemm.h"

namespace convkit {

struct RowKernels {
  // dst[i] += src[i]
  void (*add)(float* dst, const float* src, size_t n);
  // dst[i] += a * src[i]
  void (*add_scaled)(float* dst, const float* src, float a, size_t n);
  // out[i] = top + (bottom - top) * fy, top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx
  // (tf.image.resize_bilinear's order of operations)
  void (*blend)(const float* tl, const float* tr, const float* bl, const float* br, float fx, float fy,
                float* out, size_t n);
};

// The row kernels of the ISA these GEMM kernels were chosen for (scalar: 4-float vectors).
const RowKernels& RowKernelsFor(const IsaKernels& isa);

}  // namespace convkit
