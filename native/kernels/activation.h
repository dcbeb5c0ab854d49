// Activations as the GEMM epilogue applies them. The codes (enum Activation) come from
// kernels.json through generated/kernels.h.
#pragma once
#include <limits>

#include "generated/kernels.h"

namespace convkit {

// An activation is applied as a clamp in the GEMM epilogue: linear clamps to [-inf, inf].
struct ClampRange {
  float min;
  float max;
};

inline ClampRange ClampFor(Activation act) {
  const float inf = std::numeric_limits<float>::infinity();
  return act == kActivationRelu ? ClampRange{0.0f, inf} : ClampRange{-inf, inf};
}

}  // namespace convkit
