// The backward of a binary merge: each output's gradient times the op's derivative with respect
// to each input (TensorFlow's rules: maximum's goes to a where a >= b, minimum's where a <= b,
// else to b), summed over the axes the input spreads along in row-major order of the output.
#include <algorithm>

#include "generated/kernels.h"
#include "kernels/thread-pool.h"
#include "ops/merge.h"

namespace convkit {
namespace {

constexpr size_t kFloatsPerTask = 4096;
constexpr double kParallelGradFloats = 1 << 18;

// Row-major strides of a 4-D shape, 0 along the axes where it spreads over y.
void Strides(const size_t x[4], const size_t y[4], size_t out[4]) {
  size_t step = 1;
  for (int k = 3; k >= 0; k--) {
    out[k] = x[k] == y[k] ? step : 0;
    step *= x[k];
  }
}

// dy's share for input `which` (0: a, 1: b) at one output float.
inline float Share(const MergeShape& s, int which, float g, float av, float bv) {
  if (s.divisor != 0.0f) g = g / s.divisor;
  switch (s.mode) {
    case kMergeSubtract: return which ? -g : g;
    case kMergeMultiply: return g * (which ? av : bv);
    case kMergeMaximum: return (av >= bv) == (which == 0) ? g : 0.0f;
    case kMergeMinimum: return (av <= bv) == (which == 0) ? g : 0.0f;
    default: return g;
  }
}

void InputGrad(const MergeShape& s, int which, const float* a, const float* b, const float* dy, float* dx) {
  const size_t* x = which ? s.b : s.a;
  size_t sa[4], sb[4], sy[4];
  Strides(s.a, s.y, sa);
  Strides(s.b, s.y, sb);
  Strides(s.y, s.y, sy);
  const size_t floats = x[0] * x[1] * x[2] * x[3], tasks = (floats + kFloatsPerTask - 1) / kFloatsPerTask;
  const double work = double(s.y[0] * s.y[1]) * double(s.y[2] * s.y[3]);
  const size_t threads = work < kParallelGradFloats ? 1 : std::min(NumThreads(), tasks);
  ParallelFor(tasks, threads, [&](size_t t, size_t) {
    for (size_t e = t * kFloatsPerTask; e < std::min(floats, (t + 1) * kFloatsPerTask); e++) {
      size_t i[4], lo[4], hi[4], rest = e;
      for (int k = 3; k >= 0; k--) i[k] = rest % x[k], rest /= x[k];
      for (int k = 0; k < 4; k++) {
        const bool spread = x[k] != s.y[k];
        lo[k] = spread ? 0 : i[k];
        hi[k] = spread ? s.y[k] : i[k] + 1;
      }
      float sum = 0.0f;
      for (size_t p0 = lo[0]; p0 < hi[0]; p0++)
        for (size_t p1 = lo[1]; p1 < hi[1]; p1++)
          for (size_t p2 = lo[2]; p2 < hi[2]; p2++)
            for (size_t p3 = lo[3]; p3 < hi[3]; p3++) {
              const float av = a[p0 * sa[0] + p1 * sa[1] + p2 * sa[2] + p3 * sa[3]];
              const float bv = b[p0 * sb[0] + p1 * sb[1] + p2 * sb[2] + p3 * sb[3]];
              sum += Share(s, which, dy[p0 * sy[0] + p1 * sy[1] + p2 * sy[2] + p3 * sy[3]], av, bv);
            }
      dx[e] = sum;
    }
  });
}

}  // namespace

void RunMergeGrad(const MergeShape& s, const float* a, const float* b, const float* dy, float* da, float* db) {
  InputGrad(s, 0, a, b, dy, da);
  InputGrad(s, 1, a, b, dy, db);
}

}  // namespace convkit
