// Unaligned loads and stores of a vector V of floats (GCC/clang vector extensions) for the
// kernels written once over V and compiled per ISA (winograd-transforms.h, batchnorm-kernels.h,
// vbinary-loop.h). Static, and included after each file's target pragma: every ISA gets its own
// copy, compiled for that ISA.
#pragma once
#include <cstring>

namespace convkit {
namespace vector_io {

template <typename V>
static inline V Load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

template <typename V>
static inline void Store(float* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

}  // namespace vector_io
}  // namespace convkit
