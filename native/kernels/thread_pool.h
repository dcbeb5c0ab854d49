// A process-wide pool of worker threads for splitting one op across cores.
#pragma once
#include <cstddef>
#include <functional>

namespace convkit {

// Threads used by ParallelFor, the calling thread included (>= 1).
size_t NumThreads();
// Sets the thread count (clamped to [1, 64]) for the next ParallelFor; never waits.
void SetNumThreads(size_t n);
// Runs fn(task) for task in [0, tasks) on up to NumThreads() threads, the caller among them.
// Jobs from different callers (event loop, libuv workers) run one after another. The first
// exception thrown by a task is rethrown here once every task has finished; so is a failure to
// start the pool's threads (std::runtime_error).
void ParallelFor(size_t tasks, const std::function<void(size_t)>& fn);

}  // namespace convkit
