#include "kernels/cpu-features.h"

#include <atomic>
#include <cstdlib>

#include "kernels/igemm.h"

namespace convkit {
namespace {

// Widest first (the order of kernels.json); the scalar kernel runs everywhere.
#define CONVKIT_GEMM_ENTRY(isa, mr, fn, row, pair, row_pair, row_quad, maxpool, igemm, igemm_pair, \
                           pack_a, packed_mr, packed_fn, packed_pair, winograd, dwconv)            \
  {isa, mr, fn, row, pair, row_pair, row_quad, maxpool, igemm, igemm_pair, pack_a, packed_mr, packed_fn, packed_pair, winograd, dwconv},
const IsaKernels kGemms[] = {CONVKIT_GEMM_KERNELS(CONVKIT_GEMM_ENTRY)};
#undef CONVKIT_GEMM_ENTRY
constexpr size_t kGemmCount = sizeof(kGemms) / sizeof(kGemms[0]);

bool Supported(const IsaKernels& g) {
  const std::string isa = g.isa;
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's checks include the OS's XSAVE support for the wider registers.
  if (isa == "avx512f") return __builtin_cpu_supports("avx512f");
  if (isa == "avx2-fma") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
  // Advanced SIMD (with FMA) is part of the AArch64 base architecture: every arm64 CPU has it.
  if (isa == "neon") return true;
#endif
  return isa == "scalar";
}

size_t DefaultIndex() {
  const char* forced = std::getenv("CONVKIT_ISA");
  for (size_t i = 0; forced && i < kGemmCount; i++)
    if (kGemms[i].isa == std::string(forced) && Supported(kGemms[i])) return i;
  for (size_t i = 0; i < kGemmCount; i++)
    if (Supported(kGemms[i])) return i;
  return kGemmCount - 1;
}

std::atomic<size_t>& ActiveIndex() {
  static std::atomic<size_t> index{DefaultIndex()};
  return index;
}

}  // namespace

const IsaKernels& ActiveKernels() { return kGemms[ActiveIndex().load()]; }

std::vector<std::string> SupportedIsas() {
  std::vector<std::string> out;
  for (const IsaKernels& g : kGemms)
    if (Supported(g)) out.push_back(g.isa);
  return out;
}

const IsaKernels* FindKernels(const std::string& isa) {
  for (const IsaKernels& g : kGemms)
    if (isa == g.isa && Supported(g)) return &g;
  return nullptr;
}

bool SelectIsa(const std::string& isa) {
  for (size_t i = 0; i < kGemmCount; i++) {
    if (isa == kGemms[i].isa && Supported(kGemms[i])) {
      ActiveIndex().store(i);
      return true;
    }
  }
  return false;
}

}  // namespace convkit
