#include "napi/sequential.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "napi/args.h"
#include "napi/jobs.h"
#include "napi/op-params.h"
#include "napi/weights.h"
#include "ops/conv2d.h"
#include "ops/dense.h"
#include "ops/maxpool2d.h"
#include "ops/workspace.h"

namespace convkit {
namespace napi {
namespace {

// Arguments per step after x: op, params, weights, bias.
constexpr size_t kArgsPerStep = 4;
// Far above any real model; keeps a malformed call from planning without end.
constexpr size_t kMaxSteps = 1024;

enum class Op { kConv2D, kMaxPool2D, kDense };

// One layer of the chain: its planned call (only the one its op names is set), and what it reads
// besides its input, held by the job: the packed weights (shared) and a copy of the bias.
struct Step {
  Op op;
  Conv2DCall conv;
  MaxPool2DCall pool;
  DenseCall dense;
  size_t batch, inputs, outputs;
  WeightsRef w;
  Input bias;
};

Op OpArg(const Napi::CallbackInfo& info, size_t index, size_t step) {
  const std::string op = info[index].IsString() ? info[index].As<Napi::String>().Utf8Value() : "";
  if (op == "conv2d") return Op::kConv2D;
  if (op == "maxpool2d") return Op::kMaxPool2D;
  if (op == "dense") return Op::kDense;
  throw Napi::TypeError::New(info.Env(), "Expected 'conv2d', 'maxpool2d' or 'dense' for the op of step " +
                                             std::to_string(step));
}

// The step's op and sizes from its params (no array is read here).
Step ReadStep(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Env env = info.Env();
  const size_t at = 1 + i * kArgsPerStep;
  Step s{};
  s.op = OpArg(info, at, i);
  const Napi::Object params = ParamsArg(info, at + 1);
  switch (s.op) {
    case Op::kConv2D:
      s.conv = ReadConv2D(env, params);
      s.batch = s.conv.s.in.n, s.inputs = s.conv.inputs, s.outputs = s.conv.outputs;
      break;
    case Op::kMaxPool2D:
      s.pool = ReadMaxPool2D(env, params);
      s.batch = s.pool.in.n, s.inputs = s.pool.inputs, s.outputs = s.pool.outputs;
      break;
    case Op::kDense:
      s.dense = ReadDense(env, params);
      s.batch = s.dense.m, s.inputs = s.dense.inputs, s.outputs = s.dense.outputs;
      break;
  }
  return s;
}

// The step's weights and bias (after every params object has been read: see args.h).
void TakeArrays(const Napi::CallbackInfo& info, size_t i, Step* s) {
  const size_t at = 1 + i * kArgsPerStep + 2;
  if (s->op == Op::kConv2D) {
    s->w = WeightsArg(info, at, s->conv.k, s->conv.s.oc);
    s->bias = InputArg(info, at + 1, "bias", s->conv.s.oc, Ownership::kCopy, true);
  } else if (s->op == Op::kDense) {
    s->w = WeightsArg(info, at, s->dense.k, s->dense.n);
    s->bias = InputArg(info, at + 1, "bias", s->dense.n, Ownership::kCopy, true);
  }
}

void RunStep(const Step& s, const float* x, float* y) {
  switch (s.op) {
    case Op::kConv2D:
      RunConv2D(s.conv.plan, s.conv.s, x, s.w->data.get(), s.bias.data, s.conv.act, y, &s.w->caches);
      break;
    case Op::kMaxPool2D:
      RunMaxPool2D(s.pool.plan, s.pool.in, s.pool.win, s.pool.oh, s.pool.ow, x, y);
      break;
    case Op::kDense:
      RunDense(s.dense.plan, s.dense.k, s.dense.n, x, s.w->data.get(), s.bias.data, s.dense.act, y);
      break;
  }
}

// Every step on this (worker) thread: intermediates ping-pong between two buffers sized for the
// largest of them, allocated here so that the event loop pays for none of it; the last step
// writes y.
void RunChain(const std::vector<Step>& steps, const float* x, float* y) {
  size_t most = 0;
  for (size_t i = 0; i + 1 < steps.size(); i++) most = std::max(most, steps[i].outputs);
  Workspace buffers[2];
  if (steps.size() > 1) buffers[0] = NewWorkspace(most);
  if (steps.size() > 2) buffers[1] = NewWorkspace(most);
  const float* in = x;
  for (size_t i = 0; i < steps.size(); i++) {
    float* out = i + 1 == steps.size() ? y : buffers[i % 2].get();
    RunStep(steps[i], in, out);
    in = out;
  }
}

Job ParseSequential(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const size_t args = info.Length();
  if (args < 1 + kArgsPerStep || (args - 1) % kArgsPerStep != 0 || (args - 1) / kArgsPerStep > kMaxSteps)
    throw Napi::TypeError::New(env, "Expected x followed by 1 to " + std::to_string(kMaxSteps) +
                                        " steps of (op, params, weights, bias) but received " +
                                        std::to_string(args) + " arguments");
  auto steps = std::make_shared<std::vector<Step>>();
  steps->reserve((args - 1) / kArgsPerStep);
  for (size_t i = 0; i < (args - 1) / kArgsPerStep; i++) {
    steps->push_back(ReadStep(info, i));
    if (i == 0) continue;
    const Step& prev = (*steps)[i - 1];
    const Step& s = steps->back();
    if (s.batch != prev.batch || s.inputs != prev.outputs)
      throw Napi::RangeError::New(env, "Expected step " + std::to_string(i) + " to take the " +
                                           std::to_string(prev.outputs) + " floats (batch " +
                                           std::to_string(prev.batch) + ") of step " + std::to_string(i - 1) +
                                           " but it takes " + std::to_string(s.inputs) + " (batch " +
                                           std::to_string(s.batch) + ")");
  }
  // Arrays last, all copied or shared before the Promise is returned (the in-flight rule).
  for (size_t i = 0; i < steps->size(); i++) TakeArrays(info, i, &(*steps)[i]);
  const Input x = InputArg(info, 0, "x", steps->front().inputs, Ownership::kCopy);
  std::shared_ptr<const std::vector<Step>> chain = std::move(steps);
  return {chain->back().outputs, [chain, x](float* y) { RunChain(*chain, x.data, y); }};
}

}  // namespace

Napi::Value SequentialAsync(const Napi::CallbackInfo& info) { return RunJobAsync(info, ParseSequential(info)); }

}  // namespace napi
}  // namespace convkit
