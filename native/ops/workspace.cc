#include "ops/workspace.h"

#include <mutex>
#include <vector>

#include "generated/kernels.h"
#include "kernels/fault-injection.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// A kept block is poisoned, so that AddressSanitizer still reports a use after release.
#define CONVKIT_POISON(p, bytes) ASAN_POISON_MEMORY_REGION(p, bytes)
#define CONVKIT_UNPOISON(p, bytes) ASAN_UNPOISON_MEMORY_REGION(p, bytes)
#else
#define CONVKIT_POISON(p, bytes) ((void)(p), (void)(bytes))
#define CONVKIT_UNPOISON(p, bytes) ((void)(p), (void)(bytes))
#endif

namespace convkit {
namespace {

float* AlignedNew(size_t floats) {
  return static_cast<float*>(::operator new[](floats * sizeof(float), std::align_val_t(kCacheLine)));
}

void AlignedDelete(float* p) { ::operator delete[](p, std::align_val_t(kCacheLine)); }

struct Block {
  float* p;
  size_t floats;
};

// Process-wide (async calls release from libuv's threads, worker_threads share the addon).
// Never destroyed: a call finishing during exit must still find it.
struct Pool {
  std::mutex mu;
  std::vector<Block> kept;  // in release order, oldest first
  size_t floats = 0;
};

Pool& ThePool() {
  static Pool* pool = new Pool;
  return *pool;
}

constexpr size_t kPoolFloats = kWorkspacePoolBytes / sizeof(float);

}  // namespace

void WorkspaceRelease::operator()(float* p) const noexcept {
  if (floats == 0 || floats > kPoolFloats) {
    AlignedDelete(p);
    return;
  }
  Pool& pool = ThePool();
  const std::lock_guard<std::mutex> lock(pool.mu);
  // A deleter must not throw: if the list cannot grow, the block is freed instead of kept.
  try {
    pool.kept.push_back({p, floats});
  } catch (...) {
    AlignedDelete(p);
    return;
  }
  CONVKIT_POISON(p, floats * sizeof(float));
  pool.floats += floats;
  size_t drop = 0;
  for (; pool.floats > kPoolFloats; drop++) {
    const Block& b = pool.kept[drop];
    pool.floats -= b.floats;
    CONVKIT_UNPOISON(b.p, b.floats * sizeof(float));
    AlignedDelete(b.p);
  }
  pool.kept.erase(pool.kept.begin(), pool.kept.begin() + drop);
}

Workspace NewWorkspace(size_t floats) {
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  floats = floats ? floats : 1;  // a pooled block is never 0 floats (0 means not pooled)
  {
    Pool& pool = ThePool();
    const std::lock_guard<std::mutex> lock(pool.mu);
    size_t best = pool.kept.size();
    for (size_t i = 0; i < pool.kept.size(); i++) {
      const size_t have = pool.kept[i].floats;
      if (have >= floats && have / 2 <= floats && (best == pool.kept.size() || have < pool.kept[best].floats)) best = i;
    }
    if (best < pool.kept.size()) {
      const Block b = pool.kept[best];
      pool.kept.erase(pool.kept.begin() + best);
      pool.floats -= b.floats;
      CONVKIT_UNPOISON(b.p, b.floats * sizeof(float));
      return Workspace(b.p, WorkspaceRelease{b.floats});
    }
  }
  return Workspace(AlignedNew(floats), WorkspaceRelease{floats});
}

Workspace NewAlignedFloats(size_t floats) {
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  return Workspace(AlignedNew(floats ? floats : 1), WorkspaceRelease{0});
}

size_t WorkspacePoolBytes() {
  Pool& pool = ThePool();
  const std::lock_guard<std::mutex> lock(pool.mu);
  return pool.floats * sizeof(float);
}

}  // namespace convkit
