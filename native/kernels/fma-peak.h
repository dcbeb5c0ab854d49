// The core's FMA peak, measured by dependency-free FMA loops compiled into the same binary as
// the micro-kernels (npm run bench -- --kernels prints each kernel's GFLOP/s next to it).
#pragma once
#include <cstddef>

namespace convkit {

// Run `iterations` rounds of independent vector FMAs (16 for AVX-512, 12 for AVX2: more than
// FMA latency times ports on any x86 core) and return the floating-point operations done.
double FmaPeakAvx512(size_t iterations);
double FmaPeakAvx2(size_t iterations);

}  // namespace convkit
