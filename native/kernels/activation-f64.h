// Each elementwise activation and its derivative on one value, in float64 (the C library's exp,
// expm1, log1p, tanh and erfc, each within about one ulp of a double), so that rounding the
// result once to float32 gives the correctly rounded value but in rare ties. Mirrors
// assembly/kernels/activation-f64.ts. The constants are Keras's (tfjs-layers' where Keras 3
// differs: hard_sigmoid is 0.2 x + 0.5 clipped, as tfjs-layers and Keras 2 compute it).
#pragma once
#include <cmath>

#include "generated/kernels.h"

namespace convkit {

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kLeakyReluSlope = 0.2f;  // Keras 3's leaky_relu default negative_slope, a float32 as Keras computes it
constexpr double kGeluTanhScale = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kGeluTanhCubic = 0.044715;

inline double SigmoidF64(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
inline double SoftplusF64(double z) { return (z > 0 ? z : 0.0) + std::log1p(std::exp(-std::fabs(z))); }

// Phi(z), the standard normal CDF: erfc keeps its digits in the left tail, where 1 + erf loses them.
inline double NormalCdfF64(double z) { return 0.5 * std::erfc(-z * 0.70710678118654752440); }

// min(1, max(0, v)) with NaN passing through (fmin and fmax would drop it).
inline double Clamp01F64(double v) { return v < 0 ? 0.0 : v > 1 ? 1.0 : v; }

inline double GeluTanhInnerF64(double z) { return kGeluTanhScale * (z + kGeluTanhCubic * z * z * z); }

// f(z) of an elementwise activation (not linear, relu, relu6 or softmax: the clamp and the row pass).
inline double ActivationF64(Activation act, double z) {
  switch (act) {
    case kActivationSigmoid: return SigmoidF64(z);
    case kActivationTanh: return std::tanh(z);
    case kActivationElu: return z > 0 ? z : std::expm1(z);
    case kActivationSelu: return kSeluScale * (z > 0 ? z : kSeluAlpha * std::expm1(z));
    case kActivationSoftplus: return SoftplusF64(z);
    case kActivationSoftsign: return z / (1.0 + std::fabs(z));
    case kActivationHardSigmoid: return Clamp01F64(0.2 * z + 0.5);
    case kActivationSwish: return z * SigmoidF64(z);
    case kActivationGelu: return z * NormalCdfF64(z);
    case kActivationGeluNew: return z * SigmoidF64(2.0 * GeluTanhInnerF64(z));  // 1 + tanh(u) = 2 sigmoid(2u): no cancellation
    case kActivationMish: return z * std::tanh(SoftplusF64(z));
    case kActivationHardSwish: return z * Clamp01F64(z / 6.0 + 0.5);
    case kActivationLeakyRelu: return z > 0 ? z : kLeakyReluSlope * z;
    case kActivationExponential: return std::exp(z);
    default: return z;
  }
}

// f'(z) written with v: the output y = f(z), or z itself for ActivationFromInput(act). Where f
// has a kink (relu's 0, relu6's 0 and 6, hard_sigmoid's ends) the derivative is 0 from the side
// the output is clamped on.
inline double ActivationDerivativeF64(Activation act, double v) {
  switch (act) {
    case kActivationRelu: return v > 0 ? 1.0 : 0.0;
    case kActivationRelu6: return v > 0 && v < 6 ? 1.0 : 0.0;
    case kActivationSigmoid: return v * (1.0 - v);
    case kActivationTanh: return 1.0 - v * v;
    case kActivationElu: return v > 0 ? 1.0 : v + 1.0;
    case kActivationSelu: return v > 0 ? kSeluScale : v + kSeluScale * kSeluAlpha;
    case kActivationSoftplus: return -std::expm1(-v);  // sigmoid(z) = 1 - e^-y
    case kActivationSoftsign: return (1.0 - std::fabs(v)) * (1.0 - std::fabs(v));
    case kActivationHardSigmoid: return v > 0 && v < 1 ? 0.2 : 0.0;
    case kActivationLeakyRelu: return v > 0 ? 1.0 : kLeakyReluSlope;
    case kActivationExponential: return v;
    case kActivationSwish: {
      const double s = SigmoidF64(v);
      return s + v * s * (1.0 - s);
    }
    case kActivationGelu: return NormalCdfF64(v) + v * 0.39894228040143267794 * std::exp(-0.5 * v * v);
    case kActivationGeluNew: {
      const double s = SigmoidF64(2.0 * GeluTanhInnerF64(v));  // (1 + tanh(u)) / 2
      return s + 2.0 * v * s * (1.0 - s) * kGeluTanhScale * (1.0 + 3.0 * kGeluTanhCubic * v * v);
    }
    case kActivationMish: {
      const double t = std::tanh(SoftplusF64(v));
      return t + v * (1.0 - t * t) * SigmoidF64(v);
    }
    case kActivationHardSwish: return v < -3 ? 0.0 : v > 3 ? 1.0 : (2.0 * v + 3.0) / 6.0;
    default: return 1.0;
  }
}

}  // namespace convkit
