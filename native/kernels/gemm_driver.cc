#include "kernels/gemm_driver.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "kernels/thread_pool.h"

namespace convkit {
namespace {

// K block: one 16-column panel slice (kKc x 16 floats = 16 KiB) stays in L1 across row tiles.
constexpr size_t kKc = 256;
// M block: kMc x kKc floats of A (96 KiB) stay in L2 across the panels.
constexpr size_t kMc = 96;
// Below this many multiply-adds a second thread costs more than it saves.
constexpr double kParallelMacs = 1 << 18;

const float kZeroBias[kGemmNR] = {};

}  // namespace

void GemmTile(const GemmProblem& p, size_t m0, size_t m1, size_t p0, size_t p1) {
  const GemmUkernel& uk = ActiveGemm();
  const size_t panels = (p.n + kGemmNR - 1) / kGemmNR;
  p1 = std::min(p1, panels);
  float edge[kGemmMaxMR * kGemmNR];  // tile for the last panel when N is not a multiple of 16
  float edge_bias[kGemmNR];

  // With one row tile A is tiny: blocking K would only break each panel's stream of weights.
  // Decided on the whole problem, never on this task's rows: the order of every sum (and so
  // every bit of the result) must not depend on how threads split the rows.
  const size_t k_block = p.m <= uk.mr ? p.k : kKc;
  for (size_t mb = m0; mb < m1; mb += kMc) {
    const size_t me = std::min(m1, mb + kMc);
    for (size_t k0 = 0; k0 < p.k; k0 += k_block) {
      const size_t kc = std::min(k_block, p.k - k0);
      unsigned flags = 0;
      if (k0 > 0 || p.accumulate) flags |= kGemmAccumulate;
      if (k0 + kc >= p.k) flags |= kGemmEpilogue;
      for (size_t pi = p0; pi < p1; pi++) {
        const size_t n0 = pi * kGemmNR;
        const size_t nc = std::min(kGemmNR, p.n - n0);
        const float* w = p.w + (pi * p.k + k0) * kGemmNR;
        const float* bias = p.bias ? p.bias + n0 : kZeroBias;
        if (nc < kGemmNR && p.bias) {
          std::memset(edge_bias, 0, sizeof(edge_bias));
          std::memcpy(edge_bias, bias, nc * sizeof(float));
          bias = edge_bias;
        }
        for (size_t i = mb; i < me; i += uk.mr) {
          const size_t mr = std::min(uk.mr, me - i);
          const float* a = p.a + i * p.lda + k0;
          float* c = p.c + i * p.ldc + n0;
          const GemmUkernelFn fn = mr == 1 && uk.row ? uk.row : uk.fn;
          if (nc == kGemmNR) {
            fn(mr, kc, a, p.lda, w, c, p.ldc, flags, bias, p.minv, p.maxv);
            continue;
          }
          // A partial panel computes into a 16-wide tile and copies back the columns that exist.
          if (flags & kGemmAccumulate)
            for (size_t r = 0; r < mr; r++) std::memcpy(edge + r * kGemmNR, c + r * p.ldc, nc * sizeof(float));
          fn(mr, kc, a, p.lda, w, edge, kGemmNR, flags, bias, p.minv, p.maxv);
          for (size_t r = 0; r < mr; r++) std::memcpy(c + r * p.ldc, edge + r * kGemmNR, nc * sizeof(float));
        }
      }
    }
  }
}

void GemmRun(const GemmProblem& p) {
  const size_t panels = (p.n + kGemmNR - 1) / kGemmNR;
  const size_t threads = NumThreads();
  const double macs = double(p.m) * double(p.n) * double(p.k);
  if (threads == 1 || macs < kParallelMacs) {
    GemmTile(p, 0, p.m, 0, panels);
    return;
  }
  const size_t mr = ActiveGemm().mr;
  const size_t row_tiles = (p.m + mr - 1) / mr;
  if (row_tiles >= 2 * threads || row_tiles >= panels) {
    // Split along M, whole micro-tiles per task.
    const size_t tasks = std::min(threads, row_tiles);
    ParallelFor(tasks, [&](size_t t) {
      const size_t t0 = row_tiles * t / tasks, t1 = row_tiles * (t + 1) / tasks;
      GemmTile(p, std::min(p.m, t0 * mr), std::min(p.m, t1 * mr), 0, panels);
    });
  } else {
    // Few rows (a small batch through Dense): split the 16-column panels instead.
    const size_t tasks = std::min(threads, panels);
    ParallelFor(tasks, [&](size_t t) {
      GemmTile(p, 0, p.m, panels * t / tasks, panels * (t + 1) / tasks);
    });
  }
}

}  // namespace convkit
