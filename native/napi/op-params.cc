#include "napi/op-params.h"

#include <string>

#include "napi/args.h"

namespace convkit {
namespace napi {
namespace {

void ExpectOutput(Napi::Env env, const Napi::Object& params, const char* key, size_t computed) {
  const size_t given = SizeField(params, key, 0, kMaxDim);
  if (computed == 0 || given != computed)
    throw Napi::RangeError::New(env, std::string("Expected params.") + key + " to be " +
                                         std::to_string(computed) + " for this window but received " +
                                         std::to_string(given));
}

// Output extent of a window op, checked against the caller's oh/ow.
void WindowOutput(Napi::Env env, const Napi::Object& params, const Nhwc& in, const Window2D& w,
                  size_t* oh, size_t* ow) {
  *oh = OutputExtent(in.h, w.kh, w.sh, w.dh, w.pt, w.pb);
  *ow = OutputExtent(in.w, w.kw, w.sw, w.dw, w.pl, w.pr);
  ExpectOutput(env, params, "oh", *oh);
  ExpectOutput(env, params, "ow", *ow);
}

}  // namespace

Conv2DShape Conv2DFields(Napi::Env env, const Napi::Object& params) {
  Conv2DShape s{NhwcFields(params), WindowFields(params), 0, 0, SizeField(params, "oc", 1, kMaxDim)};
  WindowOutput(env, params, s.in, s.win, &s.oh, &s.ow);
  return s;
}

void MaxPool2DFields(Napi::Env env, const Napi::Object& params, Nhwc* in, Window2D* win, size_t* oh, size_t* ow) {
  *in = NhwcFields(params);
  *win = WindowFields(params);
  WindowOutput(env, params, *in, *win, oh, ow);
}

Conv2DCall ReadConv2D(Napi::Env env, const Napi::Object& params) {
  Conv2DCall c;
  c.s = Conv2DFields(env, params);
  const Activation act = ActivationField(params);
  c.k = CheckedProduct(env, {c.s.win.kh, c.s.win.kw, c.s.in.c}, "the kernel");
  CheckedProduct(env, {c.k, c.s.oc}, "the kernel");
  c.inputs = CheckedProduct(env, {c.s.in.n, c.s.in.h, c.s.in.w, c.s.in.c}, "x");
  c.outputs = CheckedProduct(env, {c.s.in.n, c.s.oh, c.s.ow, c.s.oc}, "y");
  c.plan = PlanConv2D(c.s, BoolField(params, "direct", true), NativeTarget());
  c.act = PlanOutputActivation(act, c.outputs / c.s.oc, c.s.oc, NativeTarget());
  return c;
}

MaxPool2DCall ReadMaxPool2D(Napi::Env env, const Napi::Object& params) {
  MaxPool2DCall c;
  MaxPool2DFields(env, params, &c.in, &c.win, &c.oh, &c.ow);
  c.inputs = CheckedProduct(env, {c.in.n, c.in.h, c.in.w, c.in.c}, "x");
  c.outputs = CheckedProduct(env, {c.in.n, c.oh, c.ow, c.in.c}, "y");
  // A window made only of padding would have no max.
  const Window2D& w = c.win;
  if (!EveryWindowReal(c.in.h, w.kh, w.sh, w.dh, w.pt, c.oh) || !EveryWindowReal(c.in.w, w.kw, w.sw, w.dw, w.pl, c.ow))
    throw Napi::RangeError::New(env, "Expected every pooling window to cover at least one input cell");
  c.plan = PlanMaxPool2D(c.in, c.win, c.oh, c.ow, NativeTarget());
  return c;
}

DenseCall ReadDense(Napi::Env env, const Napi::Object& params) {
  DenseCall c;
  c.m = SizeField(params, "m", 1, kMaxDim);
  c.k = SizeField(params, "k", 1, kMaxDim);
  c.n = SizeField(params, "n", 1, kMaxDim);
  const Activation act = ActivationField(params);
  c.outputs = CheckedProduct(env, {c.m, c.n}, "y");
  c.inputs = CheckedProduct(env, {c.m, c.k}, "x");
  c.plan = PlanGemm(c.m, c.n, c.k, NativeTarget());
  c.act = PlanOutputActivation(act, c.m, c.n, NativeTarget());
  return c;
}

}  // namespace napi
}  // namespace convkit
