// The backward passes the addon exports, one per layer kind (sync and async): each computes all
// of a layer's gradients in one job.
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

Napi::Value Conv2DBackward(const Napi::CallbackInfo& info);
Napi::Value Conv2DBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value DenseBackward(const Napi::CallbackInfo& info);
Napi::Value DenseBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value Depthwise2DBackward(const Napi::CallbackInfo& info);
Napi::Value Depthwise2DBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value MaxPool2DBackward(const Napi::CallbackInfo& info);
Napi::Value MaxPool2DBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value AvgPool2DBackward(const Napi::CallbackInfo& info);
Napi::Value AvgPool2DBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value ActivationBackward(const Napi::CallbackInfo& info);
Napi::Value ActivationBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value Conv2DTransposeBackward(const Napi::CallbackInfo& info);
Napi::Value Conv2DTransposeBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value UpSampling2DBackward(const Napi::CallbackInfo& info);
Napi::Value UpSampling2DBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value MergeBackward(const Napi::CallbackInfo& info);
Napi::Value MergeBackwardAsync(const Napi::CallbackInfo& info);
Napi::Value ConcatBackward(const Napi::CallbackInfo& info);
Napi::Value ConcatBackwardAsync(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
