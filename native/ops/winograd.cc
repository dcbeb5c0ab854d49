#include "ops/winograd.h"

#include <algorithm>
#include <limits>

#include "kernels/gemm-driver.h"
#include "kernels/pack-weights.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace {

// U = G g G^T for every channel pair of a kernel packed by PackWeights (9c x oc, rows (ky, kx,
// ch)), each U_e packed the same way (c x oc) at u + e * WinogradWeightsFloats(c, oc): in double,
// 16 filters at a time (a panel row), and rounded once. G's entries are 0, +-1 and +-1/2, so only
// sums round before that (halving is exact). Padding columns stay zero.
void TransformWeights(const float* packed_w, size_t c, size_t oc, float* u) {
  const size_t k = 9 * c, panels = (oc + kGemmNR - 1) / kGemmNR, floats = WinogradWeightsFloats(c, oc);
  constexpr size_t n = kGemmNR;
  for (size_t p = 0; p < panels; p++)
    for (size_t ch = 0; ch < c; ch++) {
      double t[4][3][n];  // G g: rows combined, per column of g and filter
      for (size_t kx = 0; kx < 3; kx++) {
        const float* g0 = packed_w + (p * k + kx * c + ch) * n;  // tap (0, kx)
        const float* g1 = g0 + 3 * c * n;
        const float* g2 = g1 + 3 * c * n;
        for (size_t j = 0; j < n; j++) {
          t[0][kx][j] = g0[j];
          t[1][kx][j] = (double(g0[j]) + g1[j] + g2[j]) * 0.5;
          t[2][kx][j] = (double(g0[j]) - g1[j] + g2[j]) * 0.5;
          t[3][kx][j] = g2[j];
        }
      }
      for (size_t i = 0; i < 4; i++) {  // (G g) G^T: columns combined
        float* row = u + 4 * i * floats + (p * c + ch) * n;
        for (size_t j = 0; j < n; j++) {
          row[j] = float(t[i][0][j]);
          row[floats + j] = float((t[i][0][j] + t[i][1][j] + t[i][2][j]) * 0.5);
          row[2 * floats + j] = float((t[i][0][j] - t[i][1][j] + t[i][2][j]) * 0.5);
          row[3 * floats + j] = float(t[i][2][j]);
        }
      }
    }
}

}  // namespace

size_t WinogradWeightsFloats(size_t c, size_t oc) { return PackedWeightsSize(c, oc); }

std::shared_ptr<const Workspace> WinogradCache::Get(const float* packed_w, size_t c, size_t oc) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The packed weights fix c (9c rows) and oc; checked all the same, as the key of what is kept.
  if (!kept_ || c_ != c || oc_ != oc) {
    Workspace u = NewAlignedFloats(kWinogradElements * WinogradWeightsFloats(c, oc));
    TransformWeights(packed_w, c, oc, u.get());
    kept_ = std::make_shared<const Workspace>(std::move(u));
    c_ = c;
    oc_ = oc;
  }
  return kept_;
}

void RunWinograd(const Plan& plan, const Conv2DShape& s, const float* x, const float* u,
                 const float* bias, ClampRange clamp, float* y) {
  const IsaKernels& uk = *plan.kernels;
  const WinogradTransforms& transforms = *uk.winograd;
  const WinogradGeometry g{s.in.n, s.in.h, s.in.w, s.in.c, s.win.pt, s.win.pl, s.oh, s.ow, s.oc};
  const size_t c = s.in.c;
  const size_t rpt = plan.rows_per_task, chunk = kWinogradChunkPanels * kGemmNR;
  const size_t groups = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const size_t v_plane = WinogradPlane(rpt * c), m_plane = WinogradPlane(rpt * chunk), u_floats = WinogradWeightsFloats(c, s.oc);
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats + c);
  float* zeros = work.get() + plan.threads * slot_floats;
  std::fill(zeros, zeros + c, 0.0f);
  const float inf = std::numeric_limits<float>::infinity();
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t r0 = t / groups * rpt, len = std::min(rpt, plan.rows - r0);
    const size_t g0 = t % groups * plan.panels_per_task, g1 = std::min(plan.panels, g0 + plan.panels_per_task);
    float* v = work.get() + slot * slot_floats;
    float* m = v + kWinogradElements * v_plane;
    float* sink = m + kWinogradElements * m_plane;
    transforms.input(g, x, zeros, r0, len, v_plane, v);
    // The last row tile, when it holds only a row or two, goes to the one-row kernel (a row of it
    // would cost a whole tile). Blocks start on whole tiles, so which rows do is fixed by the
    // shape (the last tiles % mr), and the bits do not depend on the threads.
    const size_t rest = len % uk.mr, tiled = rest && rest * 4 <= uk.mr && uk.row ? len - rest : len;
    // Columns a pair of panels at a time: M stays small, and V is read from cache again anyway
    // (the GEMM sweeps its rows once per pair).
    for (size_t p0 = g0; p0 < g1; p0 += kWinogradChunkPanels) {
      const size_t oc0 = p0 * kGemmNR, cols = std::min(chunk, s.oc - oc0);
      for (size_t e = 0; e < kWinogradElements; e++) {
        GemmProblem p{len, cols, c, v + e * v_plane, c, 1, u + e * u_floats + p0 * c * kGemmNR,
                      m + e * m_plane, chunk, nullptr, -inf, inf, false};
        p.epilogue = false;
        if (tiled) GemmTile(uk, p, 0, tiled, 0, kWinogradChunkPanels, plan.k_block, nullptr);
        for (size_t r = tiled; r < len; r++) {
          GemmProblem row = p;
          row.m = 1;
          row.a += r * c;
          row.c += r * chunk;
          GemmTile(uk, row, 0, 1, 0, kWinogradChunkPanels, plan.k_block, nullptr);
        }
      }
      transforms.output(g, m, m_plane, chunk, r0, len, oc0, cols, bias, clamp.min, clamp.max, sink, y);
    }
  });
}

}  // namespace convkit
