#include "kernels/thread-pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "kernels/batch-scheduling.h"
#include "kernels/fault-injection.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace convkit {
namespace {

// Waking a thread blocked on a condition variable costs tens of microseconds, a visible share of
// a 0.5 ms op, so a worker spins this many rounds for the next job before it blocks, and the
// caller spins as long for the workers to finish (about 50 us on current x86).
constexpr int kSpinRounds = 2000;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

size_t DefaultThreads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : std::min<size_t>(hw, 64);
}

class Pool {
 public:
  size_t threads() const { return wanted_.load(); }

  // Takes effect at the next Run: a call from JavaScript never waits for a running op.
  void Resize(size_t n) { wanted_.store(n); }

  void Run(size_t tasks, size_t participants, const TaskFn& fn) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    const size_t threads = wanted_.load();
    if (threads == 1 || tasks <= 1 || participants <= 1) {
      for (size_t t = 0; t < tasks; t++) fn(t, 0);
      return;
    }
    if (workers_.size() != threads - 1) StartWorkers(threads - 1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      participants_ = participants;
      next_.store(0);
      active_.store(workers_.size());
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    Work(0);
    for (int i = 0; i < kSpinRounds && active_.load(std::memory_order_acquire) != 0; i++) CpuRelax();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_.load() == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // slot: 0 for the caller, 1 + i for worker i; workers past the job's participants sit it out.
  void Work(size_t slot) {
    if (slot >= participants_) return;
    for (size_t t; (t = next_.fetch_add(1)) < tasks_;) {
      try {
        (*job_)(t, slot);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void WorkerLoop(size_t slot, size_t seen) {
    for (;;) {
      // A spinning worker reads generation_ without the mutex: Run publishes the job before it
      // increments generation_ (release), which this load acquires.
      for (int i = 0; i < kSpinRounds && generation_.load(std::memory_order_acquire) == seen && !stop_.load(); i++)
        CpuRelax();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
        if (stop_.load()) return;
        seen = generation_.load();
      }
      Work(slot);
      // The last one out wakes the caller (under the mutex, so that no wake-up is lost).
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  // Called with run_mutex_ held, so no job is running. If a thread cannot be started the
  // pool is left empty and the error (std::system_error) fails this op only: the next op tries
  // again.
  void StartWorkers(size_t n) {
    StopWorkers();
    try {
      for (size_t i = 0; i < n; i++) {
        if (TakeFault(Fault::kThreads))
          throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
        // A new worker waits for the next job, not the last one (generation_ only changes in Run).
        workers_.emplace_back([this, slot = i + 1, seen = generation_.load()] {
          BatchScheduling().Keep();  // a worker only computes: it gives way to the event loop
          WorkerLoop(slot, seen);
        });
      }
    } catch (const std::system_error& e) {
      StopWorkers();
      throw std::runtime_error(std::string("could not start worker threads (") + e.what() +
                               "); setNumThreads(1) computes without them");
    }
  }

  void StopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }

  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;      // guards the job state below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::atomic<size_t> wanted_{DefaultThreads()};
  const TaskFn* job_ = nullptr;
  size_t tasks_ = 0;
  size_t participants_ = 1;
  std::atomic<size_t> next_{0};
  std::atomic<size_t> active_{0};
  std::atomic<size_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
};

// Never destroyed: joining threads from static destructors at process exit can deadlock.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

// This thread's cap on ParallelFor's threads (ThreadCap), and the async jobs' count.
thread_local size_t tls_cap = 0;
std::atomic<size_t> async_threads{0};

}  // namespace

size_t AsyncThreads() { return async_threads.load(); }

void SetAsyncThreads(size_t n) { async_threads.store(std::min<size_t>(n, 64)); }

ThreadCap::ThreadCap(size_t cap) : saved_(tls_cap) { tls_cap = cap; }

ThreadCap::~ThreadCap() { tls_cap = saved_; }

size_t NumThreads() { return ThePool().threads(); }

void SetNumThreads(size_t n) { ThePool().Resize(std::max<size_t>(1, std::min<size_t>(n, 64))); }

void ParallelFor(size_t tasks, size_t participants, const TaskFn& fn) {
  ThePool().Run(tasks, tls_cap ? std::min(participants, tls_cap) : participants, fn);
}

}  // namespace convkit
