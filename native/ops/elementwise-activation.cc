#include "ops/elementwise-activation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <vector>

#include "kernels/activation-f64.h"
#include "kernels/batchnorm.h"
#include "ops/batchnorm.h"
#include "kernels/f32-activations-f64.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace {

double ForwardF64(const ActivationParams& p, double z) {
  switch (p.act) {
    case kActivationLinear: return z;
    case kActivationRelu:  // Keras's ReLU: max_value above, the identity from threshold, a slope below
      if (z != z) return z;  // NaN passes, as through the GEMM epilogue's clamp
      if (z >= p.max_value) return p.max_value;
      if (z >= p.threshold) return z;
      return p.alpha == 0 ? 0.0 : p.alpha * (z - p.threshold);
    case kActivationRelu6: return z < 0 ? 0.0 : z > 6 ? 6.0 : z;
    case kActivationLeakyRelu: return z > 0 ? z : p.alpha * z;
    case kActivationElu: return z > 0 ? z : p.alpha * std::expm1(z);
    default: return ActivationF64(p.act, z);
  }
}

// f'(z), from z (the op has its input).
double DerivativeF64(const ActivationParams& p, double z) {
  switch (p.act) {
    case kActivationLinear: return 1.0;
    case kActivationRelu: return z >= p.max_value ? 0.0 : z >= p.threshold ? 1.0 : p.alpha;
    case kActivationRelu6: return z > 0 && z < 6 ? 1.0 : 0.0;
    case kActivationLeakyRelu: return z > 0 ? 1.0 : p.alpha;
    case kActivationElu: return z > 0 ? 1.0 : p.alpha * std::exp(z);
    default: return ActivationDerivativeF64(p.act, ActivationFromInput(p.act) ? z : ActivationF64(p.act, z));
  }
}

// The activations that are a clamp to [0, hi] (ReLU with no slope below a threshold of 0, relu6):
// a float32 compare-and-select gives ForwardF64's bits (-0 and NaN pass as they are).
bool AsClamp(const ActivationParams& p, ClampRange* range) {
  if (p.act == kActivationRelu && p.alpha == 0 && p.threshold == 0) *range = {0.0f, p.max_value};
  else if (p.act == kActivationRelu6) *range = {0.0f, 6.0f};
  else return false;
  return true;
}

template <typename Rows>
void ForRows(size_t rows, size_t n, const PlanTarget& t, Rows body) {
  const Plan plan = PlanActivation(rows, n, t);
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task;
    body(r0, std::min(rows, r0 + plan.rows_per_task));
  });
}

// The first float of strided row r (RunElementwiseActivation's inner).
inline size_t StridedRow(size_t r, size_t n, size_t inner) { return (r / inner) * n * inner + r % inner; }

// Softmax over strided rows r0..r1 of n floats inner apart, from x into y (which may be x).
void StridedSoftmax(size_t r0, size_t r1, size_t n, size_t inner, const float* x, float* y) {
  for (size_t r = r0; r < r1; r++) {
    const size_t at = StridedRow(r, n, inner);
    for (size_t i = 0; i < n; i++) y[at + i * inner] = x[at + i * inner];
    f32_softmax_f64(n, y + at, inner);
  }
}

}  // namespace

void RunElementwiseActivation(const Plan& plan, const ActivationParams& p, const float* x, float* y, size_t n,
                              size_t inner) {
  ClampRange range;
  if (inner == 1 && AsClamp(p, &range)) {
    // The ISA's vector clamp (batch normalization's affine kernel with scale 1 and shift -0, which
    // leave every value as it is, -0 included) instead of a float64 loop of branches; a task's
    // floats are contiguous, so they go as blocks of kBlock (whole vectors of every ISA), then the rest.
    constexpr size_t kBlock = 64;
    static const std::vector<float> ones(kBlock, 1.0f), shifts(kBlock, -0.0f);
    const BatchNormKernels& k = BatchNormKernelsFor(plan.kernels);
    ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
      const size_t r0 = task * plan.rows_per_task, count = (std::min(plan.rows, r0 + plan.rows_per_task) - r0) * n;
      const size_t blocks = count / kBlock, done = blocks * kBlock;
      const float* in = x + r0 * n;
      float* out = y + r0 * n;
      k.affine(blocks, kBlock, in, ones.data(), shifts.data(), nullptr, nullptr, nullptr, range, out);
      if (done < count) k.affine(1, count - done, in + done, ones.data(), shifts.data(), nullptr, nullptr, nullptr, range, out + done);
    });
    return;
  }
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t) {
    const size_t r0 = task * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    if (inner > 1) return StridedSoftmax(r0, r1, n, inner, x, y);
    const float* in = x + r0 * n;
    float* out = y + r0 * n;
    if (p.act == kActivationSoftmax) {
      if (in != out) std::memcpy(out, in, (r1 - r0) * n * sizeof(float));
      for (size_t r = r0; r < r1; r++, out += n) f32_softmax_f64(n, out);
      return;
    }
    for (size_t i = 0; i < (r1 - r0) * n; i++) out[i] = float(ForwardF64(p, double(in[i])));
  });
}

void ElementwiseActivationGrad(const ActivationParams& p, const float* x, const float* dy, size_t rows, size_t n,
                               float* dx, const PlanTarget& t, size_t inner) {
  ForRows(rows, n, t, [&](size_t r0, size_t r1) {
    if (inner > 1) {
      // Softmax's strided rows: y, then g = y (dy - dy . y) in place, each along its stride.
      StridedSoftmax(r0, r1, n, inner, x, dx);
      for (size_t r = r0; r < r1; r++) {
        float* g = dx + StridedRow(r, n, inner);
        const float* dyr = dy + StridedRow(r, n, inner);
        double dot = 0;
        for (size_t j = 0; j < n; j++) dot += double(dyr[j * inner]) * double(g[j * inner]);
        for (size_t j = 0; j < n; j++) g[j * inner] = float(double(g[j * inner]) * (double(dyr[j * inner]) - dot));
      }
      return;
    }
    for (size_t r = r0; r < r1; r++) {
      const float* xr = x + r * n;
      const float* dyr = dy + r * n;
      float* g = dx + r * n;
      if (p.act == kActivationSoftmax) {
        std::memcpy(g, xr, n * sizeof(float));
        f32_softmax_f64(n, g);  // y, then g = y (dy - dy . y) in place
        double dot = 0;
        for (size_t j = 0; j < n; j++) dot += double(dyr[j]) * double(g[j]);
        for (size_t j = 0; j < n; j++) g[j] = float(double(g[j]) * (double(dyr[j]) - dot));
      } else {
        for (size_t j = 0; j < n; j++) g[j] = float(double(dyr[j]) * DerivativeF64(p, double(xr[j])));
      }
    }
  });
}

}  // namespace convkit
