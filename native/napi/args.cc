#include "napi/args.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace convkit {
namespace napi {
namespace {

// Largest element count: typed arrays cannot be longer, and doubles index it exactly.
constexpr size_t kMaxElements = size_t(1) << 53;

std::string Describe(const Napi::Value& v) {
  if (v.IsNumber()) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.15g", v.As<Napi::Number>().DoubleValue());
    return std::string(text) + " of type number";
  }
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsTypedArray()) return "a typed array of another element type";
  if (v.IsString()) return "a string";
  if (v.IsObject()) return "an object";
  return "a value of another type";
}

}  // namespace

F32 Float32Arg(const Napi::CallbackInfo& info, size_t index, const char* name, bool optional) {
  const Napi::Value v = info[index];
  if (optional && (v.IsNull() || v.IsUndefined())) return {nullptr, 0};
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string("Expected Float32Array for ") + name +
                                               " but received " + Describe(v));
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  return {a.Data(), a.ElementLength()};
}

void ExpectLength(Napi::Env env, const F32& array, size_t expected, const char* name) {
  if (array.length != expected)
    throw Napi::RangeError::New(env, std::string("Expected ") + std::to_string(expected) +
                                         " elements in " + name + " but received " +
                                         std::to_string(array.length));
}

Input InputArg(const Napi::CallbackInfo& info, size_t index, const char* name, size_t expected,
               Ownership own, bool optional) {
  Input in;
  if (optional && (info[index].IsNull() || info[index].IsUndefined())) return in;
  const F32 a = Float32Arg(info, index, name);
  ExpectLength(info.Env(), a, expected, name);
  in.data = a.data;
  if (own == Ownership::kCopy) {
    in.copy.reset(new float[expected]);
    std::memcpy(in.copy.get(), a.data, expected * sizeof(float));
    in.data = in.copy.get();
  }
  return in;
}

Napi::Object ParamsArg(const Napi::CallbackInfo& info, size_t index) {
  const Napi::Value v = info[index];
  if (!v.IsObject() || v.IsTypedArray() || v.IsArray())
    throw Napi::TypeError::New(info.Env(), "Expected object for params but received " + Describe(v));
  return v.As<Napi::Object>();
}

double NumberField(const Napi::Object& params, const char* key) {
  const Napi::Value v = params.Get(key);
  if (!v.IsNumber())
    throw Napi::TypeError::New(params.Env(), std::string("Expected number for params.") + key +
                                                 " but received " + Describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

size_t SizeField(const Napi::Object& params, const char* key, size_t min, size_t max) {
  const double d = NumberField(params, key);
  if (!(std::floor(d) == d) || d < double(min) || d > double(max))
    throw Napi::RangeError::New(params.Env(), std::string("Expected integer in [") +
                                                  std::to_string(min) + ", " + std::to_string(max) +
                                                  "] for params." + key + " but received " +
                                                  Describe(params.Get(key)));
  return size_t(d);
}

size_t OptionalSizeField(const Napi::Object& params, const char* key, size_t min, size_t max) {
  return params.Get(key).IsUndefined() ? min : SizeField(params, key, min, max);
}

bool BoolField(const Napi::Object& params, const char* key, bool optional) {
  const Napi::Value v = params.Get(key);
  if (optional && v.IsUndefined()) return false;
  if (!v.IsBoolean())
    throw Napi::TypeError::New(params.Env(), std::string("Expected boolean for params.") + key +
                                                 " but received " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}

Activation ActivationField(const Napi::Object& params) {
  return Activation(SizeField(params, "activation", 0, kActivationCount - 1));
}

size_t CheckedProduct(Napi::Env env, std::initializer_list<size_t> sizes, const char* what) {
  size_t total = 1;
  for (size_t s : sizes) {
    if (s != 0 && total > kMaxElements / s)
      throw Napi::RangeError::New(env, std::string("Expected ") + what +
                                           " to have at most 2^53 elements");
    total *= s;
  }
  return total;
}

}  // namespace napi
}  // namespace convkit
