#include "napi/op-params.h"

#include <string>

#include "generated/params.h"
#include "napi/args.h"

namespace convkit {
namespace napi {
namespace {

void ExpectOutput(Napi::Env env, const char* key, size_t given, size_t computed) {
  if (computed == 0 || given != computed)
    throw Napi::RangeError::New(env, std::string("Expected params.") + key + " to be " +
                                         std::to_string(computed) + " for this window but received " +
                                         std::to_string(given));
}

// Input shape, window and output extent of a windowed op, checked against the caller's oh/ow.
Conv2DShape WindowShape(Napi::Env env, const WindowGeometry& g) {
  Conv2DShape s{{g.n, g.h, g.w, g.c}, {g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pb, g.pl, g.pr}, 0, 0, 0};
  const Window2D& w = s.win;
  s.oh = OutputExtent(s.in.h, w.kh, w.sh, w.dh, w.pt, w.pb);
  s.ow = OutputExtent(s.in.w, w.kw, w.sw, w.dw, w.pl, w.pr);
  ExpectOutput(env, "oh", g.oh, s.oh);
  ExpectOutput(env, "ow", g.ow, s.ow);
  return s;
}

}  // namespace

void ReadMergeAttrs(Napi::Env env, const Napi::Object& params, OpAttrs* attrs) {
  const MergeAttributes m = ReadMergeAttributes(params);
  if (m.mode > kMergeMinimum) throw Napi::RangeError::New(env, "Expected a merge mode code for params.mode");
  if (m.divisor > 1024) throw Napi::RangeError::New(env, "Expected at most 1024 for params.divisor");
  attrs->merge_mode = int(m.mode);
  attrs->merge_divisor = m.divisor;
}

ShapedOp ReadMerge(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params) {
  ShapedOp op{};
  op.attrs = attrs;
  const MergeGeometry g = ReadMergeGeometry(params);
  const size_t a[4] = {g.an, g.ah, g.aw, g.ac}, b[4] = {g.bn, g.bh, g.bw, g.bc};
  if (!BroadcastMerge(a, b, &op.merge))
    throw Napi::RangeError::New(env, "Expected merge inputs whose sizes are equal or 1 on each axis");
  op.merge.mode = attrs.merge_mode;
  op.merge.divisor = float(attrs.merge_divisor);
  op.inputs = CheckedProduct(env, {g.an, g.ah, g.aw, g.ac}, "a");
  op.second = CheckedProduct(env, {g.bn, g.bh, g.bw, g.bc}, "b");
  op.outputs = CheckedProduct(env, {op.merge.y[0], op.merge.y[1], op.merge.y[2], op.merge.y[3]}, "y");
  return op;
}

ShapedOp ReadGeometry(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params) {
  ShapedOp op{};
  op.attrs = attrs;
  if (attrs.kind == OpKind::kMerge) return ReadMerge(env, attrs, params);
  if (attrs.kind == OpKind::kConcat) {
    const ConcatGeometry g = ReadConcatGeometry(params);
    op.merge.a[0] = g.m;
    op.merge.a[1] = g.ca;
    op.merge.a[2] = g.cb;
    op.inputs = CheckedProduct(env, {g.m, g.ca}, "a");
    op.second = CheckedProduct(env, {g.m, g.cb}, "b");
    op.outputs = CheckedProduct(env, {g.m, g.ca + g.cb}, "y");
    return op;
  }
  if (attrs.kind == OpKind::kDense) {
    const DenseGeometry g = ReadDenseGeometry(params);
    op.m = g.m;
    op.k = g.k;
    op.n = g.n;
    op.inputs = CheckedProduct(env, {op.m, op.k}, "x");
    op.outputs = CheckedProduct(env, {op.m, op.n}, "y");
    return op;
  }
  Conv2DShape& s = op.s;
  if (attrs.kind == OpKind::kConv2D) {
    const Conv2DGeometry g = ReadConv2DGeometry(params);
    s = WindowShape(env, g.window);
    s.oc = g.oc;
    op.k = CheckedProduct(env, {s.win.kh, s.win.kw, s.in.c}, "the kernel");
    CheckedProduct(env, {op.k, s.oc}, "the kernel");
  } else {
    s = WindowShape(env, ReadMaxPool2DGeometry(params));
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

ShapedOp ReadPlanned(Napi::Env env, OpKind kind, const Napi::Object& params) {
  OpAttrs attrs{kind, kActivationLinear, false};
  if (kind == OpKind::kConv2D) {
    const Conv2DAttributes a = ReadConv2DAttributes(params);
    attrs.act = a.activation;
    attrs.direct = a.direct;
  } else if (kind == OpKind::kDense) {
    attrs.act = ReadDenseAttributes(params).activation;
  } else if (kind == OpKind::kMerge) {
    ReadMergeAttrs(env, params, &attrs);
  }
  ShapedOp op = ReadGeometry(env, attrs, params);
  PlanShaped(&op);
  return op;
}

}  // namespace napi
}  // namespace convkit
