// Operators with a lifecycle (XNNPACK's create / reshape / run): created once with their weights
// and attributes, reshaped once per input shape (geometry read and checked, plan made), run many
// times on arrays alone. JavaScript holds an opaque, type-tagged handle.
#pragma once
#include <napi.h>

#include <memory>

#include "napi/weights.h"
#include "ops/operator.h"

namespace convkit {
namespace napi {

// An operator's weights and bias, shared by the calls and graph schedules that read them.
struct BoundOp {
  OpAttrs attrs;
  WeightsRef w;                          // null for max-pool
  std::shared_ptr<const float[]> bias;   // a copy; null when absent
  size_t bias_length = 0;
};

// A shaped op with what it reads besides its input: all a job needs.
struct RunnableOp {
  std::shared_ptr<const BoundOp> bound;
  std::shared_ptr<const ShapedOp> shaped;
};

// The op shaped for the params object (its geometry, checked against its weights and bias).
std::shared_ptr<const ShapedOp> ReadShape(Napi::Env env, const BoundOp& op, const Napi::Object& params);
// The same geometry planned again when the ISA or thread count changed since (else `shaped`).
std::shared_ptr<const ShapedOp> Fresh(const std::shared_ptr<const ShapedOp>& shaped);
// Runs a runnable op on its inputs (xs[0], and xs[1] for a merge or concat) into y.
void RunOp(const RunnableOp& op, const float* const* xs, float* y);

// An operator handle's bound part, or a TypeError.
std::shared_ptr<const BoundOp> OperatorOf(Napi::Env env, const Napi::Value& handle);

// createOperator(kind, attrs {activation?, direct?}, weights | null, bias | null) -> handle
Napi::Value CreateOperator(const Napi::CallbackInfo& info);
// reshapeOperator(handle, params) -> floats in the output for an input of this geometry
Napi::Value ReshapeOperator(const Napi::CallbackInfo& info);
// runOperator(handle, x, out?, x2?) -> y (a new Float32Array, or out written in place); x2 is
// the second input of a merge or concat
// runOperatorAsync(handle, x, undefined, x2?) -> Promise<y>
Napi::Value RunOperator(const Napi::CallbackInfo& info);
// runOperatorAsync(handle, x) -> Promise<y>
Napi::Value RunOperatorAsync(const Napi::CallbackInfo& info);
// explainOperator(handle) -> the plan its next run follows (path, threads, tasks, rows, ...):
// for tests of the plan's invariants and for reading which path an op takes.
Napi::Value ExplainOperator(const Napi::CallbackInfo& info);
// releaseOperator(handle): drops its weights and plan now (calls in flight keep their own).
Napi::Value ReleaseOperator(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
