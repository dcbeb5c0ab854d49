// The functions the addon exports besides operators and graphs: gemm (sync, async, into) and
// backend controls.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

Napi::Value Gemm(const Napi::CallbackInfo& info);
Napi::Value GemmAsync(const Napi::CallbackInfo& info);
Napi::Value GemmInto(const Napi::CallbackInfo& info);
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value SetNumThreads(const Napi::CallbackInfo& info);
Napi::Value SetAsyncThreads(const Napi::CallbackInfo& info);
Napi::Value SelectIsa(const Napi::CallbackInfo& info);
Napi::Value InjectFault(const Napi::CallbackInfo& info);
Napi::Value BenchKernelRates(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
