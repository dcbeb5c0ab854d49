// Runs a parsed op either on the calling thread or on a libuv worker thread (a Promise).
#pragma once
#include <napi.h>

#include <functional>

#include "napi/args.h"

namespace convkit {
namespace napi {

// An op call converted to plain C++ on the JS thread: `run` touches no JS value and reads only
// what the job holds (borrowed arrays for sync calls, copies and shared weights for async ones);
// it writes `outputs` floats into y, which the job allocates.
struct Job {
  size_t outputs;
  std::function<void(float* y)> run;
};

using JobParser = Job (*)(const Napi::CallbackInfo&, Ownership);

// Returns y, a new Float32Array, once run has filled it.
Napi::Value RunJobSync(const Napi::CallbackInfo& info, Job job);
// Runs the job into info[out_index], a caller's Float32Array of exactly job.outputs floats that
// shares no byte with the other Float32Arrays among info[0, inputs) (the job reads them while it
// writes), and returns it. A TypeError or RangeError otherwise, before anything is written.
Napi::Value RunJobInto(const Napi::CallbackInfo& info, Job job, size_t out_index, size_t inputs);
// Returns a Promise of y. y is memory the job owns until it resolves, so nothing JavaScript
// does meanwhile (detach, worker termination, exit) can free what the worker thread writes.
Napi::Value RunJobAsync(const Napi::CallbackInfo& info, Job job);

template <JobParser Parse>
Napi::Value Sync(const Napi::CallbackInfo& info) {
  return RunJobSync(info, Parse(info, Ownership::kBorrow));
}

// Argument errors throw synchronously; errors while computing reject the Promise.
template <JobParser Parse>
Napi::Value Async(const Napi::CallbackInfo& info) {
  return RunJobAsync(info, Parse(info, Ownership::kCopy));
}

// Runs fn, turning any C++ exception into a JavaScript error: nothing thrown in native code may
// reach N-API as a C++ exception (that would be std::terminate).
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info);

// The message of a native failure, e.g. "convkit: out of memory while computing".
std::string FailureMessage(std::exception_ptr e);

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw Napi::Error::New(info.Env(), FailureMessage(std::current_exception()));
  }
}

}  // namespace napi
}  // namespace convkit
