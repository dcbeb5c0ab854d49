// convkit's native addon: the exports table only. Context-aware (N-API), so it loads in
// worker_threads too; the only process-wide state is the thread pool and the chosen ISA.
#include <napi.h>

#include "napi/bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace convkit::napi;
  exports.Set("packWeights", Napi::Function::New(env, PackWeights, "packWeights"));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D, "conv2d"));
  exports.Set("conv2dAsync", Napi::Function::New(env, Conv2DAsync, "conv2dAsync"));
  exports.Set("maxpool2d", Napi::Function::New(env, MaxPool2D, "maxpool2d"));
  exports.Set("maxpool2dAsync", Napi::Function::New(env, MaxPool2DAsync, "maxpool2dAsync"));
  exports.Set("dense", Napi::Function::New(env, Dense, "dense"));
  exports.Set("denseAsync", Napi::Function::New(env, DenseAsync, "denseAsync"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("gemmAsync", Napi::Function::New(env, GemmAsync, "gemmAsync"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("selectIsa", Napi::Function::New(env, SelectIsa, "selectIsa"));
  return exports;
}

}  // namespace

NODE_API_MODULE(convkit, Init)
