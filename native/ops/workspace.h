// Scratch memory of one op call (packed B, packed A blocks, im2col segments, padded inputs),
// aligned to a cache line so that the plan's per-thread slots never share one. Scratch comes
// from a bounded pool kept between calls: a fresh multi-megabyte block is fresh pages, and their
// first-touch faults cost a 1024^3 GEMM 2-5 % and a 2048^3 one 8-10 % (npm run bench --
// --kernels). Allocation failure throws std::bad_alloc, which the N-API layer turns into a
// JavaScript error.
#pragma once
#include <cstddef>
#include <memory>
#include <new>

namespace convkit {

// Returns a block to the pool it came from (floats > 0), or frees it (floats == 0).
struct WorkspaceRelease {
  size_t floats = 0;
  void operator()(float* p) const noexcept;
};
using Workspace = std::unique_ptr<float[], WorkspaceRelease>;

// At least `floats` floats of scratch, not zeroed, returned to the pool when released.
Workspace NewWorkspace(size_t floats);

// `floats` floats of cache-line-aligned memory of its own (long-lived data such as packed
// weights, which must not pin a pooled block), freed when released.
Workspace NewAlignedFloats(size_t floats);

// The pool keeps released blocks up to kWorkspacePoolBytes in all, oldest released dropped
// first; a request takes the smallest kept block that holds it and is at most twice its size.
constexpr size_t kWorkspacePoolBytes = size_t(64) << 20;

// Bytes the pool keeps now (for tests).
size_t WorkspacePoolBytes();

}  // namespace convkit
