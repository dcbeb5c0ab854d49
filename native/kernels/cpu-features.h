// Chooses the GEMM micro-kernel once, from the CPU's features (never from -march=native).
#pragma once
#include <string>
#include <vector>

#include "kernels/gemm.h"

namespace convkit {

// The micro-kernel in use. Chosen on first call: the widest ISA the CPU and OS support, unless
// the environment variable CONVKIT_ISA names another supported one.
const IsaKernels& ActiveKernels();
// ISAs this CPU can run, widest first; "scalar" is always last.
std::vector<std::string> SupportedIsas();
// The micro-kernel of a supported ISA, or null.
const IsaKernels* FindKernels(const std::string& isa);
// Switches the micro-kernel (tests sweep every ISA with it). False if not supported here.
bool SelectIsa(const std::string& isa);

}  // namespace convkit
