// Argument unpacking at the N-API boundary. The TypeScript facade validates first; these checks
// run again here so that no call from JavaScript can make a kernel read or write out of bounds.
// Every failure throws a JS TypeError or RangeError in the facade's wording.
#pragma once
#include <napi.h>

#include <cstddef>

#include "kernels/activation.h"
#include "ops/window.h"

namespace convkit {
namespace napi {

struct F32 {
  float* data;
  size_t length;
};

// info[index] must be a Float32Array; with optional, null or undefined gives {nullptr, 0}.
F32 Float32Arg(const Napi::CallbackInfo& info, size_t index, const char* name,
               bool optional = false);
// Throws a RangeError unless the array holds exactly `expected` floats.
void ExpectLength(Napi::Env env, const F32& array, size_t expected, const char* name);
// info[index] must be a plain object (the op's parameters).
Napi::Object ParamsArg(const Napi::CallbackInfo& info, size_t index);

// An integer field of params in [min, max].
size_t SizeField(const Napi::Object& params, const char* key, size_t min, size_t max);
double NumberField(const Napi::Object& params, const char* key);
bool BoolField(const Napi::Object& params, const char* key);
Activation ActivationField(const Napi::Object& params);

// Reads n, h, w, c and the window fields (kh, kw, sh, sw, dh, dw, pt, pb, pl, pr).
Nhwc NhwcFields(const Napi::Object& params);
Window2D WindowFields(const Napi::Object& params);

// Product of sizes, throwing a RangeError (naming `what`) instead of overflowing.
size_t CheckedProduct(Napi::Env env, std::initializer_list<size_t> sizes, const char* what);

}  // namespace napi
}  // namespace convkit
