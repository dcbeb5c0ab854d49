// Runs a parsed op either on the calling thread or on a libuv worker thread (a Promise).
#pragma once
#include <napi.h>

#include <functional>
#include <vector>

namespace convkit {
namespace napi {

// An op call converted to plain C++ on the JS thread: `run` touches no JS value, `keep` holds
// the arrays it reads and writes (referenced until it finishes), `result` is what it returns.
struct Job {
  std::function<void()> run;
  std::vector<Napi::Value> keep;
  Napi::Value result;
};

using JobParser = Job (*)(const Napi::CallbackInfo&);

Napi::Value RunJobSync(const Napi::CallbackInfo& info, Job job);
Napi::Value RunJobAsync(const Napi::CallbackInfo& info, Job job);

template <JobParser Parse>
Napi::Value Sync(const Napi::CallbackInfo& info) {
  return RunJobSync(info, Parse(info));
}

// Argument errors throw synchronously; errors while computing reject the Promise.
template <JobParser Parse>
Napi::Value Async(const Napi::CallbackInfo& info) {
  return RunJobAsync(info, Parse(info));
}

}  // namespace napi
}  // namespace convkit
