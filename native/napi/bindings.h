// The functions the addon exports, one per op (sync and async) plus backend controls.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

Napi::Value Conv2D(const Napi::CallbackInfo& info);
Napi::Value Conv2DAsync(const Napi::CallbackInfo& info);
Napi::Value MaxPool2D(const Napi::CallbackInfo& info);
Napi::Value MaxPool2DAsync(const Napi::CallbackInfo& info);
Napi::Value Dense(const Napi::CallbackInfo& info);
Napi::Value DenseAsync(const Napi::CallbackInfo& info);
Napi::Value Gemm(const Napi::CallbackInfo& info);
Napi::Value GemmAsync(const Napi::CallbackInfo& info);
Napi::Value GemmInto(const Napi::CallbackInfo& info);
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value SetNumThreads(const Napi::CallbackInfo& info);
Napi::Value SelectIsa(const Napi::CallbackInfo& info);
Napi::Value InjectFault(const Napi::CallbackInfo& info);
Napi::Value PlanOf(const Napi::CallbackInfo& info);
Napi::Value BenchKernelRates(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
