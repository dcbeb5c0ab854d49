#include "kernels/kernel-bench.h"

#include <chrono>
#include <vector>

#include "kernels/cpu-features.h"
#include "kernels/fma-peak.h"

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

double KernelGflops(GemmUkernelFn fn, size_t mr, double seconds) {
  constexpr size_t kc = 256;
  std::vector<float> a(mr * kc, 0.5f), w(kc * kGemmNR, 0.25f), c(mr * kGemmNR), bias(kGemmNR);
  return Rate(seconds, [&](size_t n) {
    for (size_t i = 0; i < n; i++)
      fn(mr, kc, a.data(), kc, w.data(), c.data(), kGemmNR, 0, bias.data(), -1e30f, 1e30f);
    return 2.0 * double(mr * kGemmNR * kc) * double(n);
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
    const GemmUkernel& uk = *FindGemm(isa);
    out.push_back({isa, uk.mr, KernelGflops(uk.fn, uk.mr, seconds),
                   uk.row ? KernelGflops(uk.row, 1, seconds) : 0, PeakGflops(isa, seconds)});
  }
  return out;
}

}  // namespace convkit
