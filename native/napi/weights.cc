#include "napi/weights.h"

#include <string>

#include "kernels/pack-weights.h"
#include "napi/args.h"

namespace convkit {
namespace napi {
namespace {

// Marks Externals made by this addon, so that no other object passes for packed weights.
constexpr napi_type_tag kWeightsTag = {0x636f6e766b697477ULL, 0x7061636b65643031ULL};

struct Holder {
  WeightsRef ref;
  int64_t bytes;
};

int64_t BytesOf(size_t k, size_t n) { return int64_t(PackedWeightsSize(k, n) * sizeof(float)); }

Holder* HolderArg(const Napi::CallbackInfo& info, size_t index) {
  const Napi::Value v = info[index];
  if (!v.IsExternal() || !v.As<Napi::External<Holder>>().CheckTypeTag(&kWeightsTag))
    throw Napi::TypeError::New(info.Env(), "Expected weights packed by the native backend for packedWeights");
  Holder* h = v.As<Napi::External<Holder>>().Data();
  if (!h->ref)
    throw Napi::TypeError::New(info.Env(), "Expected packed weights that have not been released");
  return h;
}

void Release(Napi::Env env, Holder* h) {
  if (!h->ref) return;
  h->ref.reset();
  Napi::MemoryManagement::AdjustExternalMemory(env, -h->bytes);
}

}  // namespace

Napi::Value PackWeightsHandle(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Napi::Object params = ParamsArg(info, 1);
  const size_t k = SizeField(params, "k", 1, kMaxDim), n = SizeField(params, "n", 1, kMaxDim);
  const F32 b = Float32Arg(info, 0, "kernel");  // read after the params: their getters may run JS
  ExpectLength(env, b, CheckedProduct(env, {k, n}, "kernel"), "kernel");
  auto packed = std::make_shared<PackedWeights>();
  packed->k = k;
  packed->n = n;
  packed->data = NewAlignedFloats(PackedWeightsSize(k, n));
  PackWeights(k, n, b.data, n, 1, 1.0f, packed->data.get());
  auto* holder = new Holder{std::move(packed), BytesOf(k, n)};
  auto handle = Napi::External<Holder>::New(env, holder, [](Napi::Env e, Holder* h) {
    Release(e, h);
    delete h;
  });
  handle.TypeTag(&kWeightsTag);
  Napi::MemoryManagement::AdjustExternalMemory(env, holder->bytes);
  return handle;
}

Napi::Value UnpackWeightsHandle(const Napi::CallbackInfo& info) {
  const PackedWeights& w = *HolderArg(info, 0)->ref;
  Napi::Float32Array out = Napi::Float32Array::New(info.Env(), w.k * w.n);
  UnpackWeights(w.k, w.n, w.data.get(), out.Data());
  return out;
}

Napi::Value ReleaseWeights(const Napi::CallbackInfo& info) {
  Release(info.Env(), HolderArg(info, 0));
  return info.Env().Undefined();
}

WeightsRef WeightsArg(const Napi::CallbackInfo& info, size_t index) { return HolderArg(info, index)->ref; }

void ExpectKernel(Napi::Env env, const PackedWeights& w, size_t k, size_t n) {
  if (w.k != k || w.n != n)
    throw Napi::RangeError::New(env, "Expected packedWeights of a " + std::to_string(k) + " x " +
                                         std::to_string(n) + " kernel but received one of " +
                                         std::to_string(w.k) + " x " + std::to_string(w.n));
}

WeightsRef WeightsArg(const Napi::CallbackInfo& info, size_t index, size_t k, size_t n) {
  WeightsRef w = WeightsArg(info, index);
  ExpectKernel(info.Env(), *w, k, n);
  return w;
}

}  // namespace napi
}  // namespace convkit
