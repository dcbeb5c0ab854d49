// PReLU's backward (sync and async), one job: dx and dalpha.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

// preluBackward(x, dy, alpha, params {m, c}) -> [dx | dalpha]
Napi::Value PReluBackward(const Napi::CallbackInfo& info);
Napi::Value PReluBackwardAsync(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
