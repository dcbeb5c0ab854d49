// The NEON micro-kernels' shared pieces: one row's four FMAs and its 16-column store. AArch64
// only (binding.gyp compiles the NEON kernels for target_arch arm64 alone).
#pragma once
#include <arm_neon.h>

#include "kernels/gemm.h"

namespace convkit {

// c0..c3 += va * w0..w3: one row of a 16-column tile for one step of K. Always inlined, so the
// accumulators stay the caller's named registers.
__attribute__((always_inline)) static inline void FmaRow16Neon(float32x4_t& c0, float32x4_t& c1,
                                                               float32x4_t& c2, float32x4_t& c3,
                                                               float32x4_t va, float32x4_t w0,
                                                               float32x4_t w1, float32x4_t w2,
                                                               float32x4_t w3) {
  c0 = vfmaq_f32(c0, w0, va);
  c1 = vfmaq_f32(c1, w1, va);
  c2 = vfmaq_f32(c2, w2, va);
  c3 = vfmaq_f32(c3, w3, va);
}

// A scheduling barrier between the rows of a tile whose A values are loaded one row at a time.
// Without it GCC 12 hoists the six loads of a step above the FMAs: 24 accumulators, 4 of W and 6
// of A need 34 of the 32 registers, and an accumulator goes to the stack on every step.
__attribute__((always_inline)) static inline void RowBarrier() { asm volatile(""); }

// The clamp to [vmin, vmax]. FMAX/FMIN return NaN when either operand is NaN, so a NaN passes
// through as in the scalar kernel; they differ from it only on -0 against +0, and no sum that
// starts from +0 is -0.
static inline float32x4_t ClampNeon(float32x4_t v, float32x4_t vmin, float32x4_t vmax) {
  return vminq_f32(vmax, vmaxq_f32(vmin, v));
}

// Stores v0..v3 to c[0..16): added to C (kGemmAccumulate), then bias and the clamp
// (kGemmEpilogue).
static inline void StoreRow16Neon(float* c, float32x4_t v0, float32x4_t v1, float32x4_t v2,
                                  float32x4_t v3, unsigned flags, const float* bias,
                                  float32x4_t vmin, float32x4_t vmax) {
  if (flags & kGemmAccumulate) {
    v0 = vaddq_f32(vld1q_f32(c), v0);
    v1 = vaddq_f32(vld1q_f32(c + 4), v1);
    v2 = vaddq_f32(vld1q_f32(c + 8), v2);
    v3 = vaddq_f32(vld1q_f32(c + 12), v3);
  }
  if (flags & kGemmEpilogue) {
    v0 = ClampNeon(vaddq_f32(v0, vld1q_f32(bias)), vmin, vmax);
    v1 = ClampNeon(vaddq_f32(v1, vld1q_f32(bias + 4)), vmin, vmax);
    v2 = ClampNeon(vaddq_f32(v2, vld1q_f32(bias + 8)), vmin, vmax);
    v3 = ClampNeon(vaddq_f32(v3, vld1q_f32(bias + 12)), vmin, vmax);
  }
  vst1q_f32(c, v0);
  vst1q_f32(c + 4, v1);
  vst1q_f32(c + 8, v2);
  vst1q_f32(c + 12, v3);
}

}  // namespace convkit
