// convkit's native addon: the exports table only. Context-aware (N-API), so it loads in
// worker_threads too; the only process-wide state is the thread pool and the chosen ISA.
// Every export is Guarded: a C++ exception becomes a JavaScript error, never std::terminate.
#include <napi.h>

#include "napi/batchnorm.h"
#include "napi/prelu.h"
#include "napi/bindings.h"
#include "napi/grad.h"
#include "napi/jobs.h"
#include "napi/graph.h"
#include "napi/operator.h"
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
  Export<CreateOperator>(env, exports, "createOperator");
  Export<ReshapeOperator>(env, exports, "reshapeOperator");
  Export<RunOperator>(env, exports, "runOperator");
  Export<RunOperatorAsync>(env, exports, "runOperatorAsync");
  Export<ExplainOperator>(env, exports, "explainOperator");
  Export<ReleaseOperator>(env, exports, "releaseOperator");
  Export<CreateGraph>(env, exports, "createGraph");
  Export<ReshapeGraph>(env, exports, "reshapeGraph");
  Export<RunGraph>(env, exports, "runGraph");
  Export<RunGraphAsync>(env, exports, "runGraphAsync");
  Export<Gemm>(env, exports, "gemm");
  Export<GemmAsync>(env, exports, "gemmAsync");
  Export<GemmInto>(env, exports, "gemmInto");
  Export<Info>(env, exports, "info");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<SetAsyncThreads>(env, exports, "setAsyncThreads");
  Export<SelectIsa>(env, exports, "selectIsa");
  Export<InjectFault>(env, exports, "_injectFault");
  Export<BenchKernelRates>(env, exports, "_benchKernels");
  Export<Conv2DBackward>(env, exports, "conv2dBackward");
  Export<Conv2DBackwardAsync>(env, exports, "conv2dBackwardAsync");
  Export<DenseBackward>(env, exports, "denseBackward");
  Export<DenseBackwardAsync>(env, exports, "denseBackwardAsync");
  Export<MaxPool2DBackward>(env, exports, "maxpool2dBackward");
  Export<MaxPool2DBackwardAsync>(env, exports, "maxpool2dBackwardAsync");
  Export<AvgPool2DBackward>(env, exports, "avgpool2dBackward");
  Export<AvgPool2DBackwardAsync>(env, exports, "avgpool2dBackwardAsync");
  Export<BatchNormTraining>(env, exports, "batchNormTraining");
  Export<BatchNormTrainingAsync>(env, exports, "batchNormTrainingAsync");
  Export<BatchNormBackward>(env, exports, "batchNormBackward");
  Export<BatchNormBackwardAsync>(env, exports, "batchNormBackwardAsync");
  Export<Depthwise2DBackward>(env, exports, "depthwise2dBackward");
  Export<Depthwise2DBackwardAsync>(env, exports, "depthwise2dBackwardAsync");
  Export<ActivationBackward>(env, exports, "activationBackward");
  Export<ActivationBackwardAsync>(env, exports, "activationBackwardAsync");
  Export<Conv2DTransposeBackward>(env, exports, "conv2dTransposeBackward");
  Export<Conv2DTransposeBackwardAsync>(env, exports, "conv2dTransposeBackwardAsync");
  Export<UpSampling2DBackward>(env, exports, "upsampling2dBackward");
  Export<UpSampling2DBackwardAsync>(env, exports, "upsampling2dBackwardAsync");
  Export<MergeBackward>(env, exports, "mergeBackward");
  Export<MergeBackwardAsync>(env, exports, "mergeBackwardAsync");
  Export<ConcatBackward>(env, exports, "concatBackward");
  Export<ConcatBackwardAsync>(env, exports, "concatBackwardAsync");
  Export<PReluBackward>(env, exports, "preluBackward");
  Export<PReluBackwardAsync>(env, exports, "preluBackwardAsync");
  return exports;
}

}  // namespace

NODE_API_MODULE(convkit, Init)
