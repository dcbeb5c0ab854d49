#include "kernels/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace convkit {
namespace {

size_t DefaultThreads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : std::min<size_t>(hw, 64);
}

class Pool {
 public:
  size_t threads() {
    std::lock_guard<std::mutex> lock(run_mutex_);
    return threads_;
  }

  void Resize(size_t n) {
    std::lock_guard<std::mutex> lock(run_mutex_);
    StopWorkers();
    threads_ = n;
    for (size_t i = 1; i < n; i++) workers_.emplace_back([this] { WorkerLoop(); });
  }

  void Run(size_t tasks, const std::function<void(size_t)>& fn) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    if (workers_.empty() && threads_ > 1)
      for (size_t i = 1; i < threads_; i++) workers_.emplace_back([this] { WorkerLoop(); });
    if (threads_ == 1 || tasks <= 1) {
      for (size_t t = 0; t < tasks; t++) fn(t);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      next_.store(0);
      active_ = workers_.size();
      error_ = nullptr;
      generation_++;
    }
    wake_.notify_all();
    Work();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void Work() {
    for (size_t t; (t = next_.fetch_add(1)) < tasks_;) {
      try {
        (*job_)(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void WorkerLoop() {
    size_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      Work();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) done_.notify_one();
    }
  }

  // Called with run_mutex_ held, so no job is running.
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
  size_t threads_ = DefaultThreads();
  const std::function<void(size_t)>* job_ = nullptr;
  size_t tasks_ = 0;
  std::atomic<size_t> next_{0};
  size_t active_ = 0;
  size_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

// Never destroyed: joining threads from static destructors at process exit can deadlock.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

size_t NumThreads() { return ThePool().threads(); }

void SetNumThreads(size_t n) { ThePool().Resize(std::max<size_t>(1, std::min<size_t>(n, 64))); }

void ParallelFor(size_t tasks, const std::function<void(size_t)>& fn) { ThePool().Run(tasks, fn); }

}  // namespace convkit
