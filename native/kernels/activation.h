// Activations as the GEMM epilogue applies them. The codes (enum Activation) come from
// kernels.json through generated/kernels.h.
#pragma once
#include <limits>

#include "generated/kernels.h"

namespace convkit {

// linear, relu and relu6 are applied as a clamp in the GEMM epilogue (linear clamps to
// [-inf, inf]); the others get linear's here and run afterwards (ops/activation.h). Every
// epilogue (the GEMM and igemm micro-kernels, Winograd's output transform, a split K's sum, the
// wasm kernels) clamps to [min, max] with NaN passing through, so a bounded clamp costs no pass.
struct ClampRange {
  float min;
  float max;
};

// Whether the activation is the epilogue's clamp alone (no pass after the GEMM).
inline bool ClampOnly(Activation act) {
  return act == kActivationLinear || act == kActivationRelu || act == kActivationRelu6;
}

inline ClampRange ClampFor(Activation act) {
  const float inf = std::numeric_limits<float>::infinity();
  if (act == kActivationRelu) return {0.0f, inf};
  if (act == kActivationRelu6) return {0.0f, 6.0f};
  return {-inf, inf};
}

}  // namespace convkit
