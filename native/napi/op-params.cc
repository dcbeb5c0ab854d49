#include "napi/op-params.h"

#include <string>

#include "napi/args.h"

namespace convkit {
namespace napi {
namespace {

void ExpectOutput(Napi::Env env, const Napi::Object& params, const char* key, size_t computed) {
  const size_t given = SizeField(params, key, 0, kMaxDim);
  if (computed == 0 || given != computed)
    throw Napi::RangeError::New(env, std::string("Expected params.") + key + " to be " +
                                         std::to_string(computed) + " for this window but received " +
                                         std::to_string(given));
}

// Input shape, window and output extent of a windowed op, checked against the caller's oh/ow.
Conv2DShape WindowGeometry(Napi::Env env, const Napi::Object& params) {
  Conv2DShape s{NhwcFields(params), WindowFields(params), 0, 0, 0};
  const Window2D& w = s.win;
  s.oh = OutputExtent(s.in.h, w.kh, w.sh, w.dh, w.pt, w.pb);
  s.ow = OutputExtent(s.in.w, w.kw, w.sw, w.dw, w.pl, w.pr);
  ExpectOutput(env, params, "oh", s.oh);
  ExpectOutput(env, params, "ow", s.ow);
  return s;
}

}  // namespace

ShapedOp ReadGeometry(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params) {
  ShapedOp op{};
  op.attrs = attrs;
  if (attrs.kind == OpKind::kDense) {
    op.m = SizeField(params, "m", 1, kMaxDim);
    op.k = SizeField(params, "k", 1, kMaxDim);
    op.n = SizeField(params, "n", 1, kMaxDim);
    op.inputs = CheckedProduct(env, {op.m, op.k}, "x");
    op.outputs = CheckedProduct(env, {op.m, op.n}, "y");
    return op;
  }
  op.s = WindowGeometry(env, params);
  Conv2DShape& s = op.s;
  if (attrs.kind == OpKind::kConv2D) {
    s.oc = SizeField(params, "oc", 1, kMaxDim);
    op.k = CheckedProduct(env, {s.win.kh, s.win.kw, s.in.c}, "the kernel");
    CheckedProduct(env, {op.k, s.oc}, "the kernel");
  } else {
    s.oc = s.in.c;
    // A window made only of padding would have no max.
    const Window2D& w = s.win;
    if (!EveryWindowReal(s.in.h, w.kh, w.sh, w.dh, w.pt, s.oh) || !EveryWindowReal(s.in.w, w.kw, w.sw, w.dw, w.pl, s.ow))
      throw Napi::RangeError::New(env, "Expected every pooling window to cover at least one input cell");
  }
  op.n = s.oc;
  op.inputs = CheckedProduct(env, {s.in.n, s.in.h, s.in.w, s.in.c}, "x");
  op.outputs = CheckedProduct(env, {s.in.n, s.oh, s.ow, s.oc}, "y");
  op.m = op.outputs / s.oc;
  return op;
}

}  // namespace napi
}  // namespace convkit
