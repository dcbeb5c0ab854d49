// convkit's native addon: the exports table only. Context-aware (N-API), so it loads in
// worker_threads too; the only process-wide state is the thread pool and the chosen ISA.
// Every export is Guarded: a C++ exception becomes a JavaScript error, never std::terminate.
#include <napi.h>

#include "napi/bindings.h"
#include "napi/grad.h"
#include "napi/jobs.h"
#include "napi/sequential.h"
#include "napi/weights.h"

namespace {

using convkit::napi::Guarded;

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guarded<Fn>, name));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace convkit::napi;
  Export<PackWeightsHandle>(env, exports, "packWeights");
  Export<UnpackWeightsHandle>(env, exports, "unpackWeights");
  Export<ReleaseWeights>(env, exports, "releaseWeights");
  Export<Conv2D>(env, exports, "conv2d");
  Export<Conv2DAsync>(env, exports, "conv2dAsync");
  Export<MaxPool2D>(env, exports, "maxpool2d");
  Export<MaxPool2DAsync>(env, exports, "maxpool2dAsync");
  Export<Dense>(env, exports, "dense");
  Export<DenseAsync>(env, exports, "denseAsync");
  Export<SequentialAsync>(env, exports, "sequentialAsync");
  Export<Gemm>(env, exports, "gemm");
  Export<GemmAsync>(env, exports, "gemmAsync");
  Export<GemmInto>(env, exports, "gemmInto");
  Export<Info>(env, exports, "info");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<SelectIsa>(env, exports, "selectIsa");
  Export<InjectFault>(env, exports, "_injectFault");
  Export<PlanOf>(env, exports, "_plan");
  Export<BenchKernelRates>(env, exports, "_benchKernels");
  Export<Conv2DBackward>(env, exports, "conv2dBackward");
  Export<Conv2DBackwardAsync>(env, exports, "conv2dBackwardAsync");
  Export<DenseBackward>(env, exports, "denseBackward");
  Export<DenseBackwardAsync>(env, exports, "denseBackwardAsync");
  Export<MaxPool2DBackward>(env, exports, "maxpool2dBackward");
  Export<MaxPool2DBackwardAsync>(env, exports, "maxpool2dBackwardAsync");
  return exports;
}

}  // namespace

NODE_API_MODULE(convkit, Init)
