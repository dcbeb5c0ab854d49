// Micro-kernel efficiency, for `npm run bench -- --kernels`: each GEMM micro-kernel on an
// L1-resident problem next to the core's FMA peak measured in the same binary.
#pragma once
#include <string>
#include <vector>

namespace convkit {

struct KernelRate {
  std::string isa;
  size_t mr;
  double kernel_gflops;  // the MR x 16 kernel, kc = 256 (A and W fit in L1)
  double pair_gflops;    // its MR x 32 two-panel kernel (0 when the ISA has none)
  double row_gflops;     // its 1 x 16 kernel (0 when the ISA has none)
  double peak_gflops;    // dependency-free FMA loop of the ISA's vector width (0 for scalar)
  // The packed-A kernels (IsaKernels::packed_*), when the ISA has its own: else 0.
  size_t packed_mr;
  double packed_gflops;
  double packed_pair_gflops;
};

// Every ISA this CPU runs, each measured for about `seconds` per figure, on the calling thread.
std::vector<KernelRate> BenchKernels(double seconds);

}  // namespace convkit
