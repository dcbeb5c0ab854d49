// Test hooks that make the next allocation or thread start fail, so that tests can prove such
// failures reach JavaScript as errors (never abort()). Off unless a test arms them.
#pragma once

namespace convkit {

enum class Fault { kAlloc, kThreads };

// Arms `f`: the next TakeFault(f) returns true, once.
void InjectFault(Fault f);
bool TakeFault(Fault f);

}  // namespace convkit
