#include "napi/jobs.h"

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "kernels/batch-scheduling.h"
#include "generated/kernels.h"
#include "kernels/fault-injection.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace napi {
namespace {

using Floats = std::shared_ptr<float[]>;

// An async call's output, on a cache line like NewOutput's.
Floats NewAlignedFloats(size_t length) {
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  return Floats(static_cast<float*>(::operator new[](length * sizeof(float), std::align_val_t(kCacheLine))),
                [](float* p) { ::operator delete[](p, std::align_val_t(kCacheLine)); });
}

// A Float32Array over `data` without a copy; the ArrayBuffer keeps its own share of the memory.
// Where external buffers are not allowed (some embedders), the floats are copied instead.
Napi::Float32Array AdoptFloats(Napi::Env env, const Floats& data, size_t length) {
  auto* share = new Floats(data);
  Napi::ArrayBuffer buffer;
  try {
    buffer = Napi::ArrayBuffer::New(env, data.get(), length * sizeof(float),
                                    [](Napi::Env, void*, Floats* s) { delete s; }, share);
  } catch (const Napi::Error&) {
    delete share;
    buffer = Napi::ArrayBuffer::New(env, length * sizeof(float));
    std::memcpy(buffer.Data(), data.get(), length * sizeof(float));
  }
  return Napi::Float32Array::New(env, length, buffer, 0);
}

// A new Float32Array of `length` floats, not zeroed: a Node Buffer's memory (napi_create_buffer
// skips the zero fill that an ArrayBuffer's costs, up to 5% of a convolution), which the op
// then writes in full before JavaScript can see it. The view starts on a cache line of a buffer
// up to one line longer: the plan splits columns at multiples of 16 floats, which are disjoint
// cache lines only if rows start on one (malloc gives 16 bytes; two threads sharing a line per
// row cost C5 12-17 % with 2 threads, into a kept buffer).
Napi::Float32Array NewOutput(Napi::Env env, size_t length) {
  // The output is the one allocation every call makes (a convolution's indirection buffer is
  // kept between calls), so the test hook for allocation failures fails it.
  if (TakeFault(Fault::kAlloc)) throw std::bad_alloc();
  const Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::New(env, length * sizeof(float) + kCacheLine - sizeof(float));
  const size_t misaligned = reinterpret_cast<uintptr_t>(bytes.Data()) % kCacheLine;
  const size_t skip = misaligned ? kCacheLine - misaligned : 0;  // a multiple of 4: malloc aligns to 16
  return Napi::Float32Array::New(env, length, bytes.ArrayBuffer(), bytes.ByteOffset() + skip);
}

class JobWorker : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, Job job, Floats y)
      : Napi::AsyncWorker(env, "convkit"), deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)), y_(std::move(y)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    const BatchScheduling yield_to_event_loop;
    const ThreadCap cap(AsyncThreads());  // the async threads' count (a service keeps a core for its loop)
    try {
      job_.run(y_.get());
    } catch (...) {
      failure_ = FailureMessage(std::current_exception());
    }
  }

  // Settles the Promise. Nothing may escape: when the environment is being torn down (its worker
  // thread terminated) every N-API call fails, and a C++ exception out of here would abort the
  // process. The failure is kept out of SetError for the same reason: AsyncWorker would build
  // the Error itself, where this code cannot catch a failure.
  void OnOK() override {
    try {
      Napi::HandleScope scope(Env());
      if (failure_.empty())
        deferred_.Resolve(AdoptFloats(Env(), y_, job_.outputs));
      else
        deferred_.Reject(Napi::Error::New(Env(), failure_).Value());
    } catch (...) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  Floats y_;
  std::string failure_;
};

}  // namespace

std::string FailureMessage(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::bad_alloc&) {
    return "convkit: out of memory while computing";
  } catch (const std::exception& x) {
    return std::string("convkit: ") + x.what();
  } catch (...) {
    return "convkit: an unknown native error";
  }
}

namespace {

// Runs a sync job into y, a native failure becoming a JavaScript error.
void RunOnThisThread(const Napi::CallbackInfo& info, const Job& job, float* y) {
  try {
    job.run(y);
  } catch (...) {
    throw Napi::Error::New(info.Env(), FailureMessage(std::current_exception()));
  }
}

}  // namespace

Napi::Value RunJobSync(const Napi::CallbackInfo& info, Job job) {
  Napi::Float32Array y = NewOutput(info.Env(), job.outputs);
  RunOnThisThread(info, job, y.Data());
  return y;
}

Napi::Value RunJobInto(const Napi::CallbackInfo& info, Job job, size_t out_index, size_t inputs) {
  const F32 out = Float32Arg(info, out_index, "out");
  ExpectLength(info.Env(), out, job.outputs, "out");
  const auto begin = reinterpret_cast<uintptr_t>(out.data), end = begin + out.length * sizeof(float);
  for (size_t i = 0; i < inputs; i++) {
    if (i == out_index || !info[i].IsTypedArray()) continue;  // out, or an absent optional input
    const F32 in = Float32Arg(info, i, "input");
    const auto b = reinterpret_cast<uintptr_t>(in.data), e = b + in.length * sizeof(float);
    if (b < end && begin < e)
      throw Napi::RangeError::New(info.Env(), "Expected out to share no memory with the inputs");
  }
  RunOnThisThread(info, job, out.data);
  return info[out_index];
}

Napi::Value RunJobAsync(const Napi::CallbackInfo& info, Job job) {
  Floats y = NewAlignedFloats(job.outputs);
  JobWorker* worker = new JobWorker(info.Env(), std::move(job), std::move(y));  // deletes itself
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace napi
}  // namespace convkit
