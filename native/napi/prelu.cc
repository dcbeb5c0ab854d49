// Arguments are read as the other calls read them (args.h): the params first, then the arrays,
// each checked against m and c.
#include "napi/prelu.h"

#include "generated/params.h"
#include "napi/args.h"
#include "napi/jobs.h"
#include "ops/prelu.h"

namespace convkit {
namespace napi {
namespace {

Job ParseBackward(const Napi::CallbackInfo& info, Ownership own) {
  const PreluGeometry g = ReadPreluGeometry(ParamsArg(info, 3));
  const size_t m = g.m, c = g.c, floats = CheckedProduct(info.Env(), {m, c}, "x");
  const Input x = InputArg(info, 0, "x", floats, own);
  const Input dy = InputArg(info, 1, "dy", floats, own);
  const Input alpha = InputArg(info, 2, "alpha", c, own);
  const PlanTarget t = NativeTarget();
  return {floats + c, [=](float* y) { RunPReluBackward(m, c, x.data, dy.data, alpha.data, y, y + floats, t); }};
}

}  // namespace

Napi::Value PReluBackward(const Napi::CallbackInfo& info) { return Sync<ParseBackward>(info); }
Napi::Value PReluBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseBackward>(info); }

}  // namespace napi
}  // namespace convkit
