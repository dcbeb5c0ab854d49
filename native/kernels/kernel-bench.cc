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

constexpr size_t kKc = 256;

double KernelGflops(GemmUkernelFn fn, size_t mr, double seconds) {
  std::vector<float> a(mr * kKc, 0.5f), w(kKc * kGemmNR, 0.25f), c(mr * kGemmNR), bias(kGemmNR);
  return Rate(seconds, [&](size_t n) {
    for (size_t i = 0; i < n; i++)
      fn(mr, kKc, a.data(), 1, mr, w.data(), c.data(), kGemmNR, 0, bias.data(), -1e30f, 1e30f);
    return 2.0 * double(mr * kGemmNR * kKc) * double(n);
  });
}

double PairGflops(GemmPairFn fn, size_t mr, double seconds) {
  std::vector<float> a(mr * kKc, 0.5f), w(2 * kKc * kGemmNR, 0.25f), c(mr * 2 * kGemmNR), bias(2 * kGemmNR);
  return Rate(seconds, [&](size_t n) {
    for (size_t i = 0; i < n; i++)
      fn(mr, kKc, a.data(), 1, mr, w.data(), w.data() + kKc * kGemmNR, c.data(), 2 * kGemmNR, 0, bias.data(), -1e30f, 1e30f);
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
    out.push_back({isa, uk.mr, KernelGflops(uk.fn, uk.mr, seconds),
                   uk.pair ? PairGflops(uk.pair, uk.mr, seconds) : 0,
                   uk.row ? KernelGflops(uk.row, 1, seconds) : 0, PeakGflops(isa, seconds)});
  }
  return out;
}

}  // namespace convkit
