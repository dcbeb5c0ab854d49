// A chain of layers (Sequential.forwardAsync) as one async job: every layer runs on the same
// libuv worker thread, one after another, without a trip back to the event loop in between.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

// sequentialAsync(x, op0, params0, weights0, bias0, op1, params1, weights1, bias1, ...) -> Promise<y>
// op is 'conv2d', 'maxpool2d' or 'dense' with that op's params (as the single-op calls take
// them); a maxpool2d step passes null for its weights and bias. Each step's input must be the
// previous step's output (the same batch and number of floats).
Napi::Value SequentialAsync(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
