// Argument unpacking at the N-API boundary. The TypeScript facade validates first; these checks
// run again here so that no call from JavaScript can make a kernel read or write out of bounds.
// Every failure throws a JS TypeError or RangeError in the facade's wording.
//
// Order matters: reading a params field may run JavaScript (a getter, a Proxy), which could
// detach or shrink an array already unpacked. Parsers read every params field first and the
// arrays last; after that no JavaScript runs until a sync call returns.
#pragma once
#include <napi.h>

#include <cstddef>
#include <memory>

#include "kernels/activation.h"
#include "ops/window.h"

namespace convkit {
namespace napi {

// Largest size accepted for one dimension: far above any real tensor, small enough that a
// handful of them multiply without overflow checks of their own.
constexpr size_t kMaxDim = size_t(1) << 31;

struct F32 {
  float* data;
  size_t length;
};

// info[index] must be a Float32Array; with optional, null or undefined gives {nullptr, 0}.
F32 Float32Arg(const Napi::CallbackInfo& info, size_t index, const char* name,
               bool optional = false);
// How a call holds an input array: a sync call reads it in place (no JavaScript runs until it
// returns); an async call copies it on the JS thread, because JavaScript may detach, resize or
// rewrite the array while the call computes.
enum class Ownership { kBorrow, kCopy };

struct Input {
  const float* data = nullptr;   // null for an absent optional array
  std::shared_ptr<float[]> copy;  // owns `data` when copied
};

// info[index] as a Float32Array of exactly `expected` floats, held as `own` says.
Input InputArg(const Napi::CallbackInfo& info, size_t index, const char* name, size_t expected,
               Ownership own, bool optional = false);

// Throws a RangeError unless the array holds exactly `expected` floats.
void ExpectLength(Napi::Env env, const F32& array, size_t expected, const char* name);
// info[index] must be a plain object (the op's parameters).
Napi::Object ParamsArg(const Napi::CallbackInfo& info, size_t index);

// An integer field of params in [min, max].
size_t SizeField(const Napi::Object& params, const char* key, size_t min, size_t max);
double NumberField(const Napi::Object& params, const char* key);
// The same, or min when the field is absent (undefined).
size_t OptionalSizeField(const Napi::Object& params, const char* key, size_t min, size_t max);
// A boolean field; with optional, an absent (undefined) one is false.
bool BoolField(const Napi::Object& params, const char* key, bool optional = false);
Activation ActivationField(const Napi::Object& params);

// Product of sizes, throwing a RangeError (naming `what`) instead of overflowing.
size_t CheckedProduct(Napi::Env env, std::initializer_list<size_t> sizes, const char* what);

}  // namespace napi
}  // namespace convkit
