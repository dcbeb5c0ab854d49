// Arguments are read as the other calls read them (args.h): every params field first, then the
// arrays, each checked against m and c.
#include "napi/batchnorm.h"

#include <cmath>

#include "generated/params.h"
#include "napi/args.h"
#include "napi/jobs.h"
#include "ops/batchnorm.h"

namespace convkit {
namespace napi {
namespace {

struct BatchNormCall {
  size_t m, c, floats;
  double epsilon;
  bool frozen;
};

BatchNormCall ReadCall(const Napi::CallbackInfo& info, size_t index) {
  const Napi::Object params = ParamsArg(info, index);
  const BatchNormGeometry g = ReadBatchNormGeometry(params);
  const double epsilon = NumberField(params, "epsilon");
  const bool frozen = BoolField(params, "frozen", true);
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    throw Napi::RangeError::New(info.Env(), "Expected params.epsilon to be a positive finite number");
  return {g.m, g.c, CheckedProduct(info.Env(), {g.m, g.c}, "x"), epsilon, frozen};
}

Job ParseTraining(const Napi::CallbackInfo& info, Ownership own) {
  const BatchNormCall b = ReadCall(info, 3);
  const Input x = InputArg(info, 0, "x", b.floats, own);
  const Input gamma = InputArg(info, 1, "gamma", b.c, own, true);
  const Input beta = InputArg(info, 2, "beta", b.c, own, true);
  const PlanTarget t = NativeTarget();
  return {b.floats + 2 * b.c, [=](float* y) {
            RunBatchNormTraining(b.m, b.c, x.data, gamma.data, beta.data, b.epsilon, y, y + b.floats,
                                 y + b.floats + b.c, t);
          }};
}

Job ParseBackward(const Napi::CallbackInfo& info, Ownership own) {
  const BatchNormCall b = ReadCall(info, 5);
  const Input x = InputArg(info, 0, "x", b.floats, own);
  const Input dy = InputArg(info, 1, "dy", b.floats, own);
  const Input mean = InputArg(info, 2, "mean", b.c, own);
  const Input variance = InputArg(info, 3, "variance", b.c, own);
  const Input gamma = InputArg(info, 4, "gamma", b.c, own, true);
  const PlanTarget t = NativeTarget();
  return {b.floats + 2 * b.c, [=](float* y) {
            RunBatchNormBackward(b.m, b.c, x.data, dy.data, mean.data, variance.data, gamma.data, b.epsilon, b.frozen,
                                 y, y + b.floats, y + b.floats + b.c, t);
          }};
}

}  // namespace

Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) { return Sync<ParseTraining>(info); }
Napi::Value BatchNormTrainingAsync(const Napi::CallbackInfo& info) { return Async<ParseTraining>(info); }
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) { return Sync<ParseBackward>(info); }
Napi::Value BatchNormBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseBackward>(info); }

}  // namespace napi
}  // namespace convkit
