#include "ops/weighted-grad.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/pack-weights.h"
#include "kernels/thread-pool.h"
#include "ops/activation-grad.h"
#include "ops/col2im.h"
#include "ops/im2col.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

// c (m x n, row stride n) = a (element (i, kk) at a[i * lda + kk * a_cs]) times packed w, or
// added onto c, on the plan's threads.
void Product(size_t m, size_t n, size_t k, const float* a, size_t lda, size_t a_cs, const float* w, float* c,
             bool accumulate, const PlanTarget& t) {
  RunMatmul(PlanGemm(m, n, k, t), GemmProblem{m, n, k, a, lda, a_cs, w, c, n, nullptr, -kInf, kInf, accumulate});
}

// Column sums of g (m x n), each in float64 over the rows in order, rounded once.
void ColumnSums(const float* g, size_t m, size_t n, float* db) {
  std::vector<double> sums(n, 0.0);
  for (size_t i = 0; i < m; i++, g += n)
    for (size_t j = 0; j < n; j++) sums[j] += double(g[j]);
  for (size_t j = 0; j < n; j++) db[j] = float(sums[j]);
}

namespace {

// The pass over segments of `seg` rows: expand(r0, rows) gives the segment's A rows (rows x k),
// out(r0, rows) where its dA rows go, fold(r0, rows, dA) moves them into dx.
template <typename Expand, typename Out, typename Fold>
void Backward(const WeightedGrad& a, size_t seg, const PlanTarget& t, Expand expand, Out out, Fold fold) {
  const size_t m = a.m, k = a.k, n = a.n;
  const Workspace g = NewWorkspace(m * n);
  ActivationGrad(a.act, a.dy, a.y, m, n, g.get(), t);
  if (a.db) ColumnSums(g.get(), m, n, a.db);
  // W^T (n x k) packed as the B of dA = g * W^T; g's rows packed per segment as the B of dW.
  const Workspace wt = NewWorkspace(PackedWeightsSize(n, k));
  PackWeights(n, k, a.kernel, 1, n, 1.0f, wt.get());
  const Workspace packed_g = NewWorkspace(PackedWeightsSize(std::min(seg, m), n));
  for (size_t r0 = 0; r0 < m; r0 += seg) {
    const size_t rows = std::min(seg, m - r0);
    const float* rows_of_a = expand(r0, rows);
    const float* g0 = g.get() + r0 * n;
    PackWeights(rows, n, g0, n, 1, 1.0f, packed_g.get());
    // dW (k x n) += A^T * g: A read transposed through its strides, K = the segment's rows.
    Product(k, n, rows, rows_of_a, 1, k, packed_g.get(), a.dw, r0 > 0, t);
    float* da = out(r0, rows);
    Product(rows, k, n, g0, n, 1, wt.get(), da, false, t);
    fold(r0, rows, da);
  }
}

}  // namespace

void RunDenseBackward(const WeightedGrad& g, const float* x, const PlanTarget& t) {
  Backward(g, g.m, t, [&](size_t r0, size_t) { return x + r0 * g.k; },
           [&](size_t r0, size_t) { return g.dx + r0 * g.k; }, [](size_t, size_t, float*) {});
}

void RunConv2DBackward(const WeightedGrad& g, const Conv2DShape& s, const float* x, const PlanTarget& t) {
  // One segment for the whole call (each GEMM splits it among the threads): about four forward
  // segments of im2col rows, at least an M block; fixed by the shape.
  const size_t seg = std::max(kGemmMc, 4 * kSegmentFloats / std::max(g.k, g.n));
  const Workspace cols = NewWorkspace(std::min(seg, g.m) * g.k);
  const size_t pixels = s.oh * s.ow, threads = std::max<size_t>(1, t.threads);
  std::memset(g.dx, 0, s.in.n * s.in.h * s.in.w * s.in.c * sizeof(float));
  const auto expand = [&](size_t r0, size_t rows) {
    // Runs of rows on each thread: expansion only copies, so any split gives the same floats.
    const size_t per = (rows + threads - 1) / threads;
    ParallelFor((rows + per - 1) / per, threads, [&](size_t task, size_t) {
      const size_t a = task * per, b = std::min(rows, a + per);
      Im2colNhwc(s.in, s.win, s.oh, s.ow, x, r0 + a, b - a, cols.get() + a * g.k);
    });
    return static_cast<const float*>(cols.get());
  };
  const auto fold = [&](size_t r0, size_t rows, float* da) {
    // One task per image the segment touches: images never share a cell of dx.
    const size_t b0 = r0 / pixels, b1 = (r0 + rows - 1) / pixels + 1;
    ParallelFor(b1 - b0, threads, [&](size_t task, size_t) {
      const size_t a = std::max(r0, (b0 + task) * pixels), b = std::min(r0 + rows, (b0 + task + 1) * pixels);
      Col2imNhwc(s.in, s.win, s.oh, s.ow, da + (a - r0) * g.k, a, b - a, g.dx);
    });
  };
  Backward(g, seg, t, expand, [&](size_t, size_t) { return cols.get(); }, fold);
}

}  // namespace convkit
