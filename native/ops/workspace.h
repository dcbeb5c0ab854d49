// Scratch memory of one op call (im2col segments, packed copies). Allocation failure throws
// std::bad_alloc, which the N-API layer turns into a JavaScript error.
#pragma once
#include <cstddef>
#include <memory>
#include <new>

#include "kernels/fault-injection.h"

namespace convkit {

inline std::unique_ptr<float[]> NewWorkspace(size_t floats) {
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  return std::unique_ptr<float[]>(new float[floats]);
}

}  // namespace convkit
