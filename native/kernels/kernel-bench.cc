#include "kernels/kernel-bench.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "kernels/cpu-features.h"
#include "kernels/fma-peak.h"
#include "ops/workspace.h"

namespace convkit {
namespace {

using Clock = std::chrono::steady_clock;

// Repeats run(n) with growing n until it takes `seconds`; returns flops per second / 1e9.
template <typename Run>
double Rate(double seconds, Run run) {
  for (size_t n = 1;; n *= 2) {
    const auto t0 = Clock::now();
    const double flops = run(n);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= seconds) return flops / s / 1e9;
  }
}

constexpr size_t kKc = 256;

// n floats equal to v, cache-line aligned as the layers' packed weights and workspaces are.
Workspace Filled(size_t n, float v) {
  Workspace buf = NewWorkspace(n);
  std::fill(buf.get(), buf.get() + n, v);
  return buf;
}

double KernelGflops(GemmUkernelFn fn, size_t mr, double seconds) {
  const Workspace a = Filled(mr * kKc, 0.5f), w = Filled(kKc * kGemmNR, 0.25f);
  const Workspace c = Filled(mr * kGemmNR, 0), bias = Filled(kGemmNR, 0);
  return Rate(seconds, [&](size_t n) {
    for (size_t i = 0; i < n; i++)
      fn(mr, kKc, a.get(), 1, mr, w.get(), c.get(), kGemmNR, 0, bias.get(), -1e30f, 1e30f);
    return 2.0 * double(mr * kGemmNR * kKc) * double(n);
  });
}

double PairGflops(GemmPairFn fn, size_t mr, double seconds) {
  const Workspace a = Filled(mr * kKc, 0.5f), w = Filled(2 * kKc * kGemmNR, 0.25f);
  const Workspace c = Filled(mr * 2 * kGemmNR, 0), bias = Filled(2 * kGemmNR, 0);
  return Rate(seconds, [&](size_t n) {
    for (size_t i = 0; i < n; i++)
      fn(mr, kKc, a.get(), 1, mr, w.get(), w.get() + kKc * kGemmNR, c.get(), 2 * kGemmNR, 0, bias.get(), -1e30f, 1e30f);
    return 2.0 * double(mr * 2 * kGemmNR * kKc) * double(n);
  });
}

double PeakGflops(const std::string& isa, double seconds) {
#if defined(__x86_64__) || defined(__i386__)
  if (isa == "avx512f") return Rate(seconds, [](size_t n) { return FmaPeakAvx512(n * 1024); });
  if (isa == "avx2-fma") return Rate(seconds, [](size_t n) { return FmaPeakAvx2(n * 1024); });
#endif
  return 0;
}

}  // namespace

std::vector<KernelRate> BenchKernels(double seconds) {
  std::vector<KernelRate> out;
  for (const std::string& isa : SupportedIsas()) {
    const IsaKernels& uk = *FindKernels(isa);
    const bool packed = uk.packed_fn != uk.fn;
    out.push_back({isa, uk.mr, KernelGflops(uk.fn, uk.mr, seconds),
                   uk.pair ? PairGflops(uk.pair, uk.mr, seconds) : 0,
                   uk.row ? KernelGflops(uk.row, 1, seconds) : 0, PeakGflops(isa, seconds),
                   packed ? uk.packed_mr : 0, packed ? KernelGflops(uk.packed_fn, uk.packed_mr, seconds) : 0,
                   packed && uk.packed_pair ? PairGflops(uk.packed_pair, uk.packed_mr, seconds) : 0});
  }
  return out;
}

}  // namespace convkit
