// Scratch memory of one op call (packed A blocks, im2col segments, packed copies), aligned to a
// cache line so that the plan's per-thread slots never share one. Allocation failure throws
// std::bad_alloc, which the N-API layer turns into a JavaScript error.
#pragma once
#include <cstddef>
#include <memory>
#include <new>

#include "generated/kernels.h"
#include "kernels/fault-injection.h"

namespace convkit {

struct AlignedDelete {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t(kCacheLine)); }
};
using Workspace = std::unique_ptr<float[], AlignedDelete>;

inline Workspace NewWorkspace(size_t floats) {
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  return Workspace(static_cast<float*>(::operator new[](floats * sizeof(float), std::align_val_t(kCacheLine))));
}

}  // namespace convkit
