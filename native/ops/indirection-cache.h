// An indirection buffer kept with a convolution's weights between calls, as XNNPACK keeps one
// per operator: built once for a shape, against the input of the call that built it; a later
// call of that shape moves its pointers by the distance from that input to its own (ShiftedRow in
// kernels/igemm.h) instead of building it again. For few channels (a first layer) building it
// took longer than the GEMM itself.
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "ops/plan.h"

namespace convkit {

struct IndirectionBuffer {
  Conv2DShape shape;
  size_t mr;
  const float* base;                   // the input it was built against (never read again)
  std::vector<const float*> pointers;  // IndirectionNhwc of every row, tiles of mr from row 0
  std::vector<float> zeros;            // the padding's zero vector, shape.in.c floats
};

class IndirectionCache {
 public:
  // The buffer for shape s in tiles of mr rows: the one kept, or a new one built against x that
  // replaces it. Null when it would hold more than kMaxPointers (the caller then builds a
  // task's share at a time, as before).
  std::shared_ptr<const IndirectionBuffer> Get(const Conv2DShape& s, size_t mr, const float* x);

  static constexpr size_t kMaxPointers = kKeptIndirectionPointers;  // 16 MiB

 private:
  std::mutex mutex_;
  std::shared_ptr<const IndirectionBuffer> kept_;
};

}  // namespace convkit
