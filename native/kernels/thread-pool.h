// A process-wide pool of worker threads for splitting one op across cores.
#pragma once
#include <cstddef>
#include <functional>

namespace convkit {

// Threads used by ParallelFor, the calling thread included (>= 1).
size_t NumThreads();
// Sets the thread count (clamped to [1, 64]) for the next ParallelFor; never waits.
void SetNumThreads(size_t n);
// Runs fn(task, slot) for task in [0, tasks) on up to min(participants, NumThreads()) threads,
// the caller among them; threads take tasks in turn. slot < participants is the running thread's
// own (the caller's is 0): the index of its workspace slot. Jobs from different callers (event
// loop, libuv workers) run one after another. The first exception thrown by a task is rethrown
// here once every task has finished; so is a failure to start the pool's threads
// (std::runtime_error).
using TaskFn = std::function<void(size_t task, size_t slot)>;
void ParallelFor(size_t tasks, size_t participants, const TaskFn& fn);

// The threads an async job (a libuv worker's) may use; 0: NumThreads(). Services want fewer than
// every core there, so that the event loop keeps one (lib/backends/select.ts sets the default).
size_t AsyncThreads();
void SetAsyncThreads(size_t n);

// While it lives, every ParallelFor this thread starts uses at most `cap` threads (0: no cap).
class ThreadCap {
 public:
  explicit ThreadCap(size_t cap);
  ~ThreadCap();
  ThreadCap(const ThreadCap&) = delete;
  ThreadCap& operator=(const ThreadCap&) = delete;

 private:
  size_t saved_;
};

}  // namespace convkit
