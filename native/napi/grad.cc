// Arguments are read as the forward's are (op-params.h, args.h): every params field first, the
// arrays last. y, the forward output, is needed unless the activation is linear: given, or
// computed first in the same job from the packed weights and bias (the layer's forward, planned
// as the forward plans it, so the same bits). An activation whose derivative needs the
// pre-activation (ActivationFromInput) always runs the forward, without its activation. A weighted layer's job returns one array,
// [dx | dW | db], which lib/backends/native.ts splits.
#include "napi/grad.h"

#include "napi/args.h"
#include "napi/jobs.h"
#include "napi/op-params.h"
#include "napi/weights.h"
#include "ops/conv2d.h"
#include "ops/depthwise2d-grad.h"
#include "ops/conv2d-transpose-grad.h"
#include "ops/upsampling2d.h"
#include "ops/operator.h"
#include "ops/elementwise-activation.h"
#include "ops/maxpool2d-grad.h"
#include "ops/avgpool2d-grad.h"
#include "ops/weighted-grad.h"
#include "ops/workspace.h"

namespace convkit {
namespace napi {
namespace {

// The arrays of a weighted layer's backward(x, dy, y | null, kernel, params, packedWeights?,
// bias?): x of `inputs` floats, dy and y of `outputs`, the kernel k x n. Without y (and with an
// activation that needs it) the packed weights and bias, to run the forward first.
struct WeightedArrays {
  Input x, dy, y, kernel, bias;
  WeightsRef packed;  // null unless the job runs the forward
};

WeightedArrays ReadWeighted(const Napi::CallbackInfo& info, Ownership own, size_t inputs, size_t outputs,
                            size_t k, size_t n, Activation act, size_t biases) {
  WeightedArrays a;
  a.x = InputArg(info, 0, "x", inputs, own);
  a.dy = InputArg(info, 1, "dy", outputs, own);
  const bool no_y = info[2].IsNull() || info[2].IsUndefined() || ActivationFromInput(act);
  if (act != kActivationLinear && no_y) {
    a.packed = WeightsArg(info, 5, k, n);
    a.bias = InputArg(info, 6, "bias", biases, own, true);
  } else {
    a.y = InputArg(info, 2, "y", outputs, own, act == kActivationLinear);
  }
  a.kernel = InputArg(info, 3, "kernel", CheckedProduct(info.Env(), {k, n}, "the kernel"), own);
  return a;
}

// The forward output the derivative reads: y as given, or run(out) into `scratch` first.
template <typename Forward>
const float* OutputFor(const WeightedArrays& a, size_t outputs, Workspace* scratch, Forward run) {
  if (!a.packed) return a.y.data;
  *scratch = NewWorkspace(outputs);
  run(scratch->get());
  return scratch->get();
}

// dx, then dW, then db when the layer has a bias, in the job's output y.
WeightedGrad GradInto(float* y, const WeightedArrays& a, const float* forward_y, size_t m, size_t k, size_t n,
                      size_t inputs, bool bias, Activation act) {
  return {m, k, n, a.dy.data, act == kActivationLinear ? nullptr : forward_y, act, a.kernel.data,
          y, y + inputs, bias ? y + inputs + k * n : nullptr};
}

// conv2dBackward(x, dy, y | null, kernel [kh*kw*c x oc], params {conv2d's, bias}, packedWeights?, bias?)
// and denseBackward(x, dy, y | null, kernel [k x n], params {m, k, n, activation, bias}, packedWeights?,
// bias?) and depthwise2dBackward(x, dy, y | null, kernel [kh*kw x oc], params {depthwise2d's, bias},
// packedWeights?, bias?) -> [dx | dW | db]
template <OpKind kKind>
Job ParseWeightedBackward(const Napi::CallbackInfo& info, Ownership own) {
  const Napi::Object params = ParamsArg(info, 4);
  const ShapedOp c = ReadPlanned(info.Env(), kKind, params);
  const bool bias = BoolField(params, "bias");
  const Activation act = c.attrs.act;
  // A transposed convolution's bias is per filter (its n is kh * kw * filters).
  const size_t biases = kKind == OpKind::kConv2DTranspose ? c.s.oc : c.n;
  const WeightedArrays a = ReadWeighted(info, own, c.inputs, c.outputs, c.k, c.n, act, biases);
  const PlanTarget t = NativeTarget();
  ShapedOp forward = c;  // the derivative's input: z where the activation needs it, else y
  if (ActivationFromInput(act)) forward.act = {kActivationLinear, {}};
  return {c.inputs + c.k * c.n + (bias ? biases : 0), [=](float* y) {
            Workspace scratch;
            const float* fy = OutputFor(a, c.outputs, &scratch, [&](float* out) {
              RunShaped(forward, &a.x.data, a.packed->data.get(), a.bias.data, &a.packed->caches, out);
            });
            const WeightedGrad g = GradInto(y, a, fy, c.m, c.k, c.n, c.inputs, bias, act);
            if (kKind == OpKind::kConv2DTranspose)
              RunConv2DTransposeBackward({g.dy, g.y, act, g.kernel, g.dx, g.dw, g.db}, c.s, a.x.data, t);
            else if (kKind == OpKind::kConv2D) RunConv2DBackward(g, c.s, a.x.data, t);
            else if (kKind == OpKind::kDepthwise2D) RunDepthwise2DBackward(g, c.s, a.x.data, t);
            else RunDenseBackward(g, a.x.data, t);
          }};
}

// maxpool2dBackward(x, dy, params) -> dx
Job ParseMaxPool2DBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kMaxPool2D, ParamsArg(info, 2));
  const Input x = InputArg(info, 0, "x", c.inputs, own);
  const Input dy = InputArg(info, 1, "dy", c.outputs, own);
  const PlanTarget t = NativeTarget();
  return {c.inputs, [=](float* dx) { RunMaxPool2DBackward(c.s.in, c.s.win, c.s.oh, c.s.ow, x.data, dy.data, dx, t); }};
}

// mergeBackward(a, b, dy, params {merge's geometry and attributes}) -> [da | db]
Job ParseMergeBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kMerge, ParamsArg(info, 3));
  const Input a = InputArg(info, 0, "a", c.inputs, own);
  const Input b = InputArg(info, 1, "b", c.second, own);
  const Input dy = InputArg(info, 2, "dy", c.outputs, own);
  return {c.inputs + c.second, [=](float* y) { RunMergeGrad(c.merge, a.data, b.data, dy.data, y, y + c.inputs); }};
}

// concatBackward(dy, params {m, ca, cb}) -> [da | db]
Job ParseConcatBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kConcat, ParamsArg(info, 1));
  const Input dy = InputArg(info, 0, "dy", c.outputs, own);
  return {c.outputs, [=](float* y) { RunConcatGrad(c.plan, c.merge.a[1], c.merge.a[2], dy.data, y, y + c.inputs); }};
}

// avgpool2dBackward(dy, params) -> dx: x is not needed (the divisors come from the geometry).
Job ParseAvgPool2DBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kAvgPool2D, ParamsArg(info, 1));
  const Input dy = InputArg(info, 0, "dy", c.outputs, own);
  const PlanTarget t = NativeTarget();
  const bool count_pad = c.attrs.count_pad;
  return {c.inputs, [=](float* dx) { RunAvgPool2DBackward(c.s.in, c.s.win, c.s.oh, c.s.ow, count_pad, dy.data, dx, t); }};
}

// activationBackward(x, dy, params {m, n, activation, alpha, maxValue, threshold}) -> dx
Job ParseActivationBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kActivation, ParamsArg(info, 2));
  const Input x = InputArg(info, 0, "x", c.inputs, own);
  const Input dy = InputArg(info, 1, "dy", c.outputs, own);
  const ActivationParams p{c.attrs.act, c.attrs.alpha, c.attrs.max_value, c.attrs.threshold};
  const PlanTarget t = NativeTarget();
  return {c.inputs, [=](float* dx) { ElementwiseActivationGrad(p, x.data, dy.data, c.m, c.n, dx, t, c.k); }};
}

// upsampling2dBackward(dy, params {upsampling2d's geometry, bilinear}) -> dx
Job ParseUpSampling2DBackward(const Napi::CallbackInfo& info, Ownership own) {
  const ShapedOp c = ReadPlanned(info.Env(), OpKind::kUpSampling2D, ParamsArg(info, 1));
  const Input dy = InputArg(info, 0, "dy", c.outputs, own);
  const PlanTarget t = NativeTarget();
  return {c.inputs, [=](float* dx) { RunUpSampling2DBackward(c.s, c.attrs.bilinear, dy.data, dx, t); }};
}

}  // namespace

Napi::Value Conv2DTransposeBackward(const Napi::CallbackInfo& info) { return Sync<ParseWeightedBackward<OpKind::kConv2DTranspose>>(info); }
Napi::Value Conv2DTransposeBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseWeightedBackward<OpKind::kConv2DTranspose>>(info); }
Napi::Value UpSampling2DBackward(const Napi::CallbackInfo& info) { return Sync<ParseUpSampling2DBackward>(info); }
Napi::Value UpSampling2DBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseUpSampling2DBackward>(info); }

Napi::Value ConcatBackward(const Napi::CallbackInfo& info) { return Sync<ParseConcatBackward>(info); }
Napi::Value ConcatBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseConcatBackward>(info); }
Napi::Value MergeBackward(const Napi::CallbackInfo& info) { return Sync<ParseMergeBackward>(info); }
Napi::Value MergeBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseMergeBackward>(info); }
Napi::Value Conv2DBackward(const Napi::CallbackInfo& info) { return Sync<ParseWeightedBackward<OpKind::kConv2D>>(info); }
Napi::Value Conv2DBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseWeightedBackward<OpKind::kConv2D>>(info); }
Napi::Value DenseBackward(const Napi::CallbackInfo& info) { return Sync<ParseWeightedBackward<OpKind::kDense>>(info); }
Napi::Value DenseBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseWeightedBackward<OpKind::kDense>>(info); }
Napi::Value Depthwise2DBackward(const Napi::CallbackInfo& info) { return Sync<ParseWeightedBackward<OpKind::kDepthwise2D>>(info); }
Napi::Value Depthwise2DBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseWeightedBackward<OpKind::kDepthwise2D>>(info); }
Napi::Value MaxPool2DBackward(const Napi::CallbackInfo& info) { return Sync<ParseMaxPool2DBackward>(info); }
Napi::Value MaxPool2DBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseMaxPool2DBackward>(info); }
Napi::Value AvgPool2DBackward(const Napi::CallbackInfo& info) { return Sync<ParseAvgPool2DBackward>(info); }
Napi::Value AvgPool2DBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseAvgPool2DBackward>(info); }
Napi::Value ActivationBackward(const Napi::CallbackInfo& info) { return Sync<ParseActivationBackward>(info); }
Napi::Value ActivationBackwardAsync(const Napi::CallbackInfo& info) { return Async<ParseActivationBackward>(info); }

}  // namespace napi
}  // namespace convkit
