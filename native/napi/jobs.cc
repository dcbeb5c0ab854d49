#include "napi/jobs.h"

#include <exception>
#include <string>

namespace convkit {
namespace napi {
namespace {

class JobWorker : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, Job job)
      : Napi::AsyncWorker(env, "convkit"), deferred_(Napi::Promise::Deferred::New(env)),
        run_(std::move(job.run)) {
    for (const Napi::Value& v : job.keep)
      if (v.IsObject()) keep_.push_back(Napi::Persistent(v.As<Napi::Object>()));  // skips a null bias
    result_ = Napi::Persistent(job.result.As<Napi::Object>());
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      run_();
    } catch (const std::bad_alloc&) {
      SetError("convkit: out of memory while computing");
    } catch (const std::exception& e) {
      SetError(std::string("convkit: ") + e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(result_.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> run_;
  std::vector<Napi::ObjectReference> keep_;
  Napi::ObjectReference result_;
};

}  // namespace

Napi::Value RunJobSync(const Napi::CallbackInfo& info, Job job) {
  try {
    job.run();
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "convkit: out of memory while computing");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("convkit: ") + e.what());
  }
  return job.result;
}

Napi::Value RunJobAsync(const Napi::CallbackInfo& info, Job job) {
  JobWorker* worker = new JobWorker(info.Env(), std::move(job));  // deletes itself when done
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace napi
}  // namespace convkit
