// Batch normalization's training calls (sync and async), each one job: the forward with the
// batch's statistics, and the backward.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

// batchNormTraining(x, gamma | null, beta | null, params {m, c, epsilon}) -> [y | mean | variance]
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info);
Napi::Value BatchNormTrainingAsync(const Napi::CallbackInfo& info);
// batchNormBackward(x, dy, mean, variance, gamma | null, params {m, c, epsilon, frozen?})
//   -> [dx | dgamma | dbeta]
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info);
Napi::Value BatchNormBackwardAsync(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
