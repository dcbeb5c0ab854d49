#include "napi/bindings.h"

#include <string>

#include "kernels/cpu-features.h"
#include "kernels/fault-injection.h"
#include "kernels/kernel-bench.h"
#include "kernels/thread-pool.h"
#include "napi/args.h"
#include "napi/jobs.h"
#include "napi/weights.h"
#include "ops/gemm.h"
#include "ops/plan.h"

namespace convkit {
namespace napi {
namespace {

// gemm(a, b, c | null, params {m, n, k, transA, transB, alpha, beta, cRows, cCols, activation}) -> y;
// gemmInto(a, b, c | null, params, out) -> out, written in place
Job ParseGemm(const Napi::CallbackInfo& info, Ownership own) {
  const Napi::Env env = info.Env();
  const Napi::Object params = ParamsArg(info, 3);
  GemmArgs g;
  g.m = SizeField(params, "m", 1, kMaxDim);
  g.n = SizeField(params, "n", 1, kMaxDim);
  g.k = SizeField(params, "k", 1, kMaxDim);
  g.trans_a = BoolField(params, "transA");
  g.trans_b = BoolField(params, "transB");
  g.alpha = float(NumberField(params, "alpha"));
  g.beta = float(NumberField(params, "beta"));
  const Activation act = ActivationField(params);
  g.c_rows = g.c_cols = 1;
  const bool has_c = !info[2].IsNull() && !info[2].IsUndefined();
  if (has_c) {
    g.c_rows = SizeField(params, "cRows", 1, kMaxDim);
    g.c_cols = SizeField(params, "cCols", 1, kMaxDim);
    if ((g.c_rows != 1 && g.c_rows != g.m) || (g.c_cols != 1 && g.c_cols != g.n))
      throw Napi::RangeError::New(env, "Expected c to broadcast to [m, n]");
  }
  const size_t outputs = CheckedProduct(env, {g.m, g.n}, "y");
  const Input a = InputArg(info, 0, "a", CheckedProduct(env, {g.m, g.k}, "a"), own);
  const Input b = InputArg(info, 1, "b", CheckedProduct(env, {g.k, g.n}, "b"), own);
  const Input c = InputArg(info, 2, "c", g.c_rows * g.c_cols, own, true);
  const Plan plan = PlanGemm(g.m, g.n, g.k, NativeTarget());
  g.act = PlanOutputActivation(act, g.m, g.n, NativeTarget());
  return {outputs, [=](float* y) {
            GemmArgs run = g;
            run.a = a.data;
            run.b = b.data;
            run.c = c.data;
            run.y = y;
            RunGemm(plan, run);
          }};
}

}  // namespace

Napi::Value Gemm(const Napi::CallbackInfo& info) { return Sync<ParseGemm>(info); }
Napi::Value GemmAsync(const Napi::CallbackInfo& info) { return Async<ParseGemm>(info); }
Napi::Value GemmInto(const Napi::CallbackInfo& info) { return RunJobInto(info, ParseGemm(info, Ownership::kBorrow), 4, 3); }

// info(): { isa, isas, threads }
Napi::Value Info(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", ActiveKernels().isa);
  Napi::Array isas = Napi::Array::New(env);
  for (const std::string& isa : SupportedIsas()) isas.Set(isas.Length(), isa);
  out.Set("isas", isas);
  out.Set("threads", double(NumThreads()));
  out.Set("asyncThreads", double(AsyncThreads() ? std::min(AsyncThreads(), NumThreads()) : NumThreads()));
  out.Set("mr", double(ActiveKernels().mr));
  out.Set("packedMr", double(ActiveKernels().packed_mr));
  out.Set("nr", double(kGemmNR));
  return out;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const Napi::Value v = info[0];
  if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 1 ||
      v.As<Napi::Number>().DoubleValue() > 64 ||
      v.As<Napi::Number>().DoubleValue() != double(v.As<Napi::Number>().Int64Value()))
    throw Napi::RangeError::New(info.Env(), "Expected integer in [1, 64] for threads");
  convkit::SetNumThreads(size_t(v.As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

Napi::Value SetAsyncThreads(const Napi::CallbackInfo& info) {
  const Napi::Value v = info[0];
  if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 0 || v.As<Napi::Number>().DoubleValue() > 64 ||
      v.As<Napi::Number>().DoubleValue() != double(v.As<Napi::Number>().Int64Value()))
    throw Napi::RangeError::New(info.Env(), "Expected integer in [0, 64] for asyncThreads");
  convkit::SetAsyncThreads(size_t(v.As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

// _injectFault('alloc' | 'threads'): the next workspace allocation or thread start fails.
Napi::Value InjectFault(const Napi::CallbackInfo& info) {
  const std::string kind = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (kind != "alloc" && kind != "threads")
    throw Napi::TypeError::New(info.Env(), "Expected 'alloc' or 'threads' for fault");
  convkit::InjectFault(kind == "alloc" ? Fault::kAlloc : Fault::kThreads);
  return info.Env().Undefined();
}

// _benchKernels(seconds): [{ isa, mr, kernelGflops, pairGflops, rowGflops, peakGflops, packedMr,
// packedGflops, packedPairGflops }], measured on this
// thread (npm run bench -- --kernels; never called by the library itself).
Napi::Value BenchKernelRates(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const double seconds = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0.2;
  if (!(seconds > 0 && seconds <= 10)) throw Napi::RangeError::New(env, "Expected seconds in (0, 10]");
  Napi::Array out = Napi::Array::New(env);
  for (const KernelRate& r : BenchKernels(seconds)) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("isa", r.isa);
    o.Set("mr", double(r.mr));
    o.Set("kernelGflops", r.kernel_gflops);
    o.Set("pairGflops", r.pair_gflops);
    o.Set("rowGflops", r.row_gflops);
    o.Set("peakGflops", r.peak_gflops);
    o.Set("packedMr", double(r.packed_mr));
    o.Set("packedGflops", r.packed_gflops);
    o.Set("packedPairGflops", r.packed_pair_gflops);
    out.Set(out.Length(), o);
  }
  return out;
}

Napi::Value SelectIsa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString())
    throw Napi::TypeError::New(info.Env(), "Expected string for isa");
  return Napi::Boolean::New(info.Env(), convkit::SelectIsa(info[0].As<Napi::String>().Utf8Value()));
}

}  // namespace napi
}  // namespace convkit
