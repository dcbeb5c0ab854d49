// Activations as the GEMM epilogue applies them. The codes (enum Activation) come from
// kernels.json through generated/kernels.h.
#pragma once
#include <limits>

#include "generated/kernels.h"

namespace convkit {

// linear and relu are applied as a clamp in the GEMM epilogue (linear clamps to [-inf, inf]);
// sigmoid, tanh and softmax get linear's here and run afterwards (ops/activation.h).
struct ClampRange {
  float min;
  float max;
};

inline ClampRange ClampFor(Activation act) {
  const float inf = std::numeric_limits<float>::infinity();
  return act == kActivationRelu ? ClampRange{0.0f, inf} : ClampRange{-inf, inf};
}

}  // namespace convkit
