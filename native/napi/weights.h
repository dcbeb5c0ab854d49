// Packed weights owned by C++ and shared by reference: JavaScript holds an opaque handle (a
// type-tagged External), each call holds a shared_ptr, so no JavaScript action (setWeights, a
// dropped layer, garbage collection) can free weights a running call reads.
#pragma once
#include <napi.h>

#include <cstddef>
#include <memory>

#include "ops/conv2d.h"
#include "ops/workspace.h"

namespace convkit {
namespace napi {

struct PackedWeights {
  size_t k, n;                  // the unpacked kernel is k x n
  Workspace data;  // PackedWeightsSize(k, n) floats, cache-line aligned: every zmm load of a panel is one line
  // A convolution's indirection buffer for its last input shape and its Winograd weights, shared
  // by the calls that use them.
  mutable ConvCaches caches;
};
using WeightsRef = std::shared_ptr<const PackedWeights>;

// packWeights(kernel, {k, n}): a handle to the kernel packed for the GEMM.
Napi::Value PackWeightsHandle(const Napi::CallbackInfo& info);
// unpackWeights(handle): the k x n kernel as a new Float32Array (exact: packing only moves floats).
Napi::Value UnpackWeightsHandle(const Napi::CallbackInfo& info);
// releaseWeights(handle): frees the weights now (calls in flight keep their own reference).
Napi::Value ReleaseWeights(const Napi::CallbackInfo& info);

// info[index] as packed weights that have not been released, or a TypeError.
WeightsRef WeightsArg(const Napi::CallbackInfo& info, size_t index);
// info[index] as packed weights of a k x n kernel, or a TypeError / RangeError.
WeightsRef WeightsArg(const Napi::CallbackInfo& info, size_t index, size_t k, size_t n);
// Throws a RangeError unless w packs a k x n kernel.
void ExpectKernel(Napi::Env env, const PackedWeights& w, size_t k, size_t n);

}  // namespace napi
}  // namespace convkit
