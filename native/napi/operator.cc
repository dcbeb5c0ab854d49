#include "napi/operator.h"

#include <cstring>
#include <string>

#include "generated/params.h"
#include "napi/args.h"
#include "napi/jobs.h"
#include "napi/op-params.h"
#include "ops/conv2d.h"

namespace convkit {
namespace napi {
namespace {

// Marks Externals made by this file, so that no other object passes for an operator.
constexpr napi_type_tag kOperatorTag = {0x636f6e766b69746fULL, 0x70657261746f7231ULL};

struct Holder {
  std::shared_ptr<const BoundOp> bound;   // null once released
  std::shared_ptr<const ShapedOp> shaped;  // null until reshaped
};

Holder* HolderOf(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal() || !v.As<Napi::External<Holder>>().CheckTypeTag(&kOperatorTag))
    throw Napi::TypeError::New(env, "Expected an operator created by the native backend");
  Holder* h = v.As<Napi::External<Holder>>().Data();
  if (!h->bound) throw Napi::TypeError::New(env, "Expected an operator that has not been released");
  return h;
}

Holder* HolderArg(const Napi::CallbackInfo& info, size_t index) { return HolderOf(info.Env(), info[index]); }

OpKind KindArg(const Napi::CallbackInfo& info, size_t index) {
  const std::string kind = info[index].IsString() ? info[index].As<Napi::String>().Utf8Value() : "";
  if (kind == "conv2d") return OpKind::kConv2D;
  if (kind == "maxpool2d") return OpKind::kMaxPool2D;
  if (kind == "activation") return OpKind::kActivation;
  if (kind == "dense") return OpKind::kDense;
  if (kind == "avgpool2d") return OpKind::kAvgPool2D;
  if (kind == "pad2d") return OpKind::kPad2D;
  if (kind == "batchNorm") return OpKind::kBatchNorm;
  if (kind == "depthwise2d") return OpKind::kDepthwise2D;
  if (kind == "conv2dTranspose") return OpKind::kConv2DTranspose;
  if (kind == "upsampling2d") return OpKind::kUpSampling2D;
  if (kind == "permute") return OpKind::kPermute;
  if (kind == "merge") return OpKind::kMerge;
  if (kind == "concat") return OpKind::kConcat;
  if (kind == "prelu") return OpKind::kPRelu;
  throw Napi::TypeError::New(info.Env(), "Expected 'conv2d', 'maxpool2d', 'avgpool2d', 'pad2d', 'dense', 'batchNorm', 'depthwise2d', 'activation', 'conv2dTranspose', 'upsampling2d', 'permute', 'merge', 'concat' or 'prelu' for the operator kind");
}

// The operator's job on info[1] and, for an op of two inputs, info[3] (borrowed or copied),
// with the plan it has now.
Job OperatorJob(const Napi::CallbackInfo& info, Ownership own) {
  Holder* h = HolderArg(info, 0);
  if (!h->shaped) throw Napi::Error::New(info.Env(), "Expected reshapeOperator before the operator runs");
  h->shaped = Fresh(h->shaped);
  const RunnableOp op{h->bound, h->shaped};
  const Input x = InputArg(info, 1, "x", op.shaped->inputs, own);
  const bool two = op.shaped->second != 0;
  if (!two && info.Length() > 3 && !info[3].IsUndefined())
    throw Napi::TypeError::New(info.Env(), "Expected one input for this operator");
  const Input x2 = two ? InputArg(info, 3, "the second input", op.shaped->second, own) : Input{};
  return {op.shaped->outputs, [op, x, x2](float* y) {
            const float* xs[2] = {x.data, x2.data};
            RunOp(op, xs, y);
          }};
}

Napi::Object PlanObject(Napi::Env env, const Plan& p) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("path", double(int(p.path)));
  out.Set("threads", double(p.threads));
  out.Set("tasks", double(p.tasks));
  out.Set("rows", double(p.rows));
  out.Set("rowsPerTask", double(p.rows_per_task));
  out.Set("panels", double(p.panels));
  out.Set("panelsPerTask", double(p.panels_per_task));
  out.Set("kBlock", double(p.k_block));
  out.Set("kSplits", double(p.k_splits));
  out.Set("kChunk", double(p.k_chunk));
  out.Set("packFloats", double(p.pack_floats));
  out.Set("slotBytes", double(p.slot_bytes));
  out.Set("sharedBytes", double(p.shared_bytes));
  return out;
}

}  // namespace

std::shared_ptr<const ShapedOp> ReadShape(Napi::Env env, const BoundOp& op, const Napi::Object& params) {
  auto shaped = std::make_shared<ShapedOp>(ReadGeometry(env, op.attrs, params));
  if (op.w) ExpectKernel(env, *op.w, shaped->k, shaped->n);
  if (op.attrs.kind == OpKind::kBatchNorm && op.bias_length != 2 * shaped->n)
    throw Napi::RangeError::New(env, "Expected the batchNorm operator's scale and shift to hold 2 * c = " +
                                         std::to_string(2 * shaped->n) + " floats but they hold " +
                                         std::to_string(op.bias_length));
  if (op.attrs.kind == OpKind::kPRelu && op.bias_length != shaped->n)
    throw Napi::RangeError::New(env, "Expected the prelu operator's alpha to hold c = " + std::to_string(shaped->n) +
                                         " floats but it holds " + std::to_string(op.bias_length));
  // A transposed convolution's bias is per filter, known only with the kernel's size.
  if (op.attrs.groups > 1 && op.bias) ExpectLength(env, {const_cast<float*>(op.bias.get()), op.bias_length}, shaped->s.oc, "bias");
  if (op.attrs.kind == OpKind::kConv2DTranspose && op.bias) ExpectLength(env, {const_cast<float*>(op.bias.get()), op.bias_length}, shaped->s.oc, "bias");
  PlanShaped(shaped.get());
  return shaped;
}

std::shared_ptr<const ShapedOp> Fresh(const std::shared_ptr<const ShapedOp>& shaped) {
  if (!PlanIsStale(*shaped)) return shaped;
  auto again = std::make_shared<ShapedOp>(*shaped);
  PlanShaped(again.get());
  return again;
}

void RunOp(const RunnableOp& op, const float* const* xs, float* y) {
  const BoundOp& b = *op.bound;
  RunShaped(*op.shaped, xs, b.w ? b.w->data.get() : nullptr, b.bias.get(), b.w ? &b.w->caches : nullptr, y);
}

std::shared_ptr<const BoundOp> OperatorOf(Napi::Env env, const Napi::Value& handle) {
  return HolderOf(env, handle)->bound;
}

Napi::Value CreateOperator(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  auto op = std::make_shared<BoundOp>();
  op->attrs.kind = KindArg(info, 0);
  const Napi::Object attrs = ParamsArg(info, 1);
  const OpKind kind = op->attrs.kind;
  // The ops with packed weights and a bias.
  const bool weighted = kind == OpKind::kConv2D || kind == OpKind::kDense || kind == OpKind::kDepthwise2D || kind == OpKind::kConv2DTranspose;
  op->attrs = ReadAttributes(env, kind, attrs);
  // Arrays after the attrs: their getters may run JavaScript (args.h).
  if (op->attrs.kind == OpKind::kBatchNorm || op->attrs.kind == OpKind::kPRelu) {
    // batchNorm's scale then shift (2c floats), prelu's alpha (c), in the bias's place; checked against c at reshape.
    const F32 st = Float32Arg(info, 3, op->attrs.kind == OpKind::kPRelu ? "alpha" : "scaleShift", false);
    std::shared_ptr<float[]> copy(new float[st.length]);
    std::memcpy(copy.get(), st.data, st.length * sizeof(float));
    op->bias = std::move(copy);
    op->bias_length = st.length;
  }
  if (weighted) {
    op->w = WeightsArg(info, 2);
    const F32 bias = Float32Arg(info, 3, "bias", true);
    if (bias.data) {
      if (op->attrs.kind != OpKind::kConv2DTranspose && op->attrs.groups == 1) ExpectLength(env, bias, op->w->n, "bias");
      std::shared_ptr<float[]> copy(new float[bias.length]);
      std::memcpy(copy.get(), bias.data, bias.length * sizeof(float));
      op->bias = std::move(copy);
      op->bias_length = bias.length;
    }
  }
  auto* holder = new Holder{std::move(op), nullptr};
  auto handle = Napi::External<Holder>::New(env, holder, [](Napi::Env, Holder* h) { delete h; });
  handle.TypeTag(&kOperatorTag);
  return handle;
}

Napi::Value ReshapeOperator(const Napi::CallbackInfo& info) {
  Holder* h = HolderArg(info, 0);
  auto shaped = ReadShape(info.Env(), *h->bound, ParamsArg(info, 1));
  h->shaped = shaped;
  return Napi::Number::New(info.Env(), double(shaped->outputs));
}

Napi::Value RunOperator(const Napi::CallbackInfo& info) {
  Job job = OperatorJob(info, Ownership::kBorrow);
  if (info.Length() > 2 && !info[2].IsUndefined()) return RunJobInto(info, std::move(job), 2, info.Length());
  return RunJobSync(info, std::move(job));
}

Napi::Value RunOperatorAsync(const Napi::CallbackInfo& info) {
  return RunJobAsync(info, OperatorJob(info, Ownership::kCopy));
}

Napi::Value ExplainOperator(const Napi::CallbackInfo& info) {
  Holder* h = HolderArg(info, 0);
  if (!h->shaped) throw Napi::Error::New(info.Env(), "Expected reshapeOperator before the operator is explained");
  h->shaped = Fresh(h->shaped);
  return PlanObject(info.Env(), h->shaped->plan);
}

Napi::Value ReleaseOperator(const Napi::CallbackInfo& info) {
  Holder* h = HolderArg(info, 0);
  h->bound.reset();
  h->shaped.reset();
  return info.Env().Undefined();
}

}  // namespace napi
}  // namespace convkit
