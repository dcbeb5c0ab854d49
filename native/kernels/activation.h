// Activation codes shared by every layer of convkit.
// Must match lib/activation.ts (Activation) and assembly/ (when it exists); a parity test checks it.
#pragma once
#include <limits>

namespace convkit {

enum Activation : int { kActivationLinear = 0, kActivationRelu = 1 };
constexpr int kActivationCount = 2;

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
