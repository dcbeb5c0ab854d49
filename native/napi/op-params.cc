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

// A crop that leaves at least one cell, and the output extent it and the pads give.
size_t PaddedExtent(Napi::Env env, const char* key, size_t in, size_t crop0, size_t crop1, size_t pad0, size_t pad1, size_t given) {
  if (crop0 + crop1 >= in) throw Napi::RangeError::New(env, std::string("Expected the crops along ") + key + " to leave at least one cell");
  ExpectOutput(env, key, given, in - crop0 - crop1 + pad0 + pad1);
  return given;
}

Pad2DShape Pad2DShapeOf(Napi::Env env, const Pad2DGeometry& g) {
  PaddedExtent(env, "oh", g.h, g.ct, g.cb, g.pt, g.pb, g.oh);
  PaddedExtent(env, "ow", g.w, g.cl, g.cr, g.pl, g.pr, g.ow);
  return {{g.n, g.h, g.w, g.c}, g.pt, g.pb, g.pl, g.pr, g.ct, g.cb, g.cl, g.cr, g.oh, g.ow};
}

// permute {n, d0, d1, d2, p0, p1, p2}: p a permutation of 0, 1, 2.
ShapedOp PermuteShape(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params) {
  const PermuteGeometry g = ReadPermuteGeometry(params);
  ShapedOp op{};
  op.attrs = attrs;
  op.perm[0] = g.p0, op.perm[1] = g.p1, op.perm[2] = g.p2;
  if (g.p0 > 2 || g.p1 > 2 || g.p2 > 2 || g.p0 == g.p1 || g.p0 == g.p2 || g.p1 == g.p2)
    throw Napi::RangeError::New(env, "Expected params.p0, p1 and p2 to be a permutation of 0, 1 and 2");
  op.s.in = {g.n, g.d0, g.d1, g.d2};
  op.inputs = op.outputs = CheckedProduct(env, {g.n, g.d0, g.d1, g.d2}, "x");
  return op;
}

// conv2dTranspose {n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, oc}: any output size
// (the scatter skips every tap outside it); upsampling2d {n, h, w, c, sh, sw}.
ShapedOp ResampleGeometry(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params) {
  ShapedOp op{};
  op.attrs = attrs;
  Conv2DShape& s = op.s;
  if (attrs.kind == OpKind::kConv2DTranspose) {
    const Conv2dTransposeGeometry g = ReadConv2dTransposeGeometry(params);
    s = {{g.n, g.h, g.w, g.c}, {g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, 0, g.pl, 0}, g.oh, g.ow, g.oc};
    op.m = CheckedProduct(env, {g.n, g.h, g.w}, "x");
    op.k = g.c;
    op.n = CheckedProduct(env, {g.kh, g.kw, g.oc}, "the kernel");
    CheckedProduct(env, {op.k, op.n}, "the kernel");
  } else {
    const Upsampling2dGeometry g = ReadUpsampling2dGeometry(params);
    s = {{g.n, g.h, g.w, g.c}, {1, 1, g.sh, g.sw, 1, 1, 0, 0, 0, 0}, CheckedProduct(env, {g.h, g.sh}, "y"),
         CheckedProduct(env, {g.w, g.sw}, "y"), g.c};
  }
  op.inputs = CheckedProduct(env, {s.in.n, s.in.h, s.in.w, s.in.c}, "x");
  op.outputs = CheckedProduct(env, {s.in.n, s.oh, s.ow, s.oc}, "y");
  return op;
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
  if (attrs.kind == OpKind::kActivation) {
    const ActivationOpGeometry g = ReadActivationOpGeometry(params);
    op.inputs = op.outputs = CheckedProduct(env, {g.m, g.n, g.inner}, "x");
    // Softmax over a middle axis: m * inner strided rows of n, k = inner apart; the elementwise
    // activations: m rows of n * inner.
    const bool strided = g.inner > 1 && attrs.act == kActivationSoftmax;
    op.m = strided ? g.m * g.inner : g.m;
    op.n = strided ? g.n : g.n * g.inner;
    op.k = strided ? g.inner : 1;
    return op;
  }
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
  if (attrs.kind == OpKind::kConv2DTranspose || attrs.kind == OpKind::kUpSampling2D) return ResampleGeometry(env, attrs, params);
  if (attrs.kind == OpKind::kPermute) return PermuteShape(env, attrs, params);
  if (attrs.kind == OpKind::kPad2D) {
    op.pad = Pad2DShapeOf(env, ReadPad2DGeometry(params));
    const Pad2DShape& p = op.pad;
    op.inputs = CheckedProduct(env, {p.in.n, p.in.h, p.in.w, p.in.c}, "x");
    op.outputs = CheckedProduct(env, {p.in.n, p.oh, p.ow, p.in.c}, "y");
    return op;
  }
  if (attrs.kind == OpKind::kBatchNorm) {
    const BatchNormGeometry g = ReadBatchNormGeometry(params);
    op.m = g.m;
    op.n = g.c;
    op.inputs = op.outputs = CheckedProduct(env, {op.m, op.n}, "x");
    return op;
  }
  if (attrs.kind == OpKind::kPRelu) {
    const PreluGeometry g = ReadPreluGeometry(params);
    op.m = g.m;
    op.n = g.c;
    op.inputs = op.outputs = CheckedProduct(env, {op.m, op.n}, "x");
    return op;
  }
  Conv2DShape& s = op.s;
  if (attrs.kind == OpKind::kConv2D) {
    const Conv2DGeometry g = ReadConv2DGeometry(params);
    s = WindowShape(env, g.window);
    s.oc = g.oc;
    s.groups = attrs.groups;
    if (s.in.c % s.groups != 0 || s.oc % s.groups != 0)
      throw Napi::RangeError::New(env, "Expected params.groups to divide params.c and params.oc");
    op.k = CheckedProduct(env, {s.win.kh, s.win.kw, s.in.c / s.groups}, "the kernel");
    CheckedProduct(env, {op.k, GroupedColumns(s.oc, s.groups)}, "the kernel");
  } else if (attrs.kind == OpKind::kDepthwise2D) {
    const Depthwise2dGeometry g = ReadDepthwise2dGeometry(params);
    s = WindowShape(env, g.window);
    s.oc = g.oc;
    if (s.oc % s.in.c != 0)
      throw Napi::RangeError::New(env, "Expected params.oc to be a multiple of params.c (the depth multiplier times c)");
    op.k = CheckedProduct(env, {s.win.kh, s.win.kw}, "the kernel");
    CheckedProduct(env, {op.k, s.oc}, "the kernel");
  } else {
    s = WindowShape(env, ReadMaxPool2DGeometry(params));
    s.oc = s.in.c;
    // A window made only of padding would have no max (and no cell to average).
    const Window2D& w = s.win;
    if (!EveryWindowReal(s.in.h, w.kh, w.sh, w.dh, w.pt, s.oh) || !EveryWindowReal(s.in.w, w.kw, w.sw, w.dw, w.pl, s.ow))
      throw Napi::RangeError::New(env, "Expected every pooling window to cover at least one input cell");
  }
  op.n = GroupedColumns(s.oc, s.groups);
  op.inputs = CheckedProduct(env, {s.in.n, s.in.h, s.in.w, s.in.c}, "x");
  op.outputs = CheckedProduct(env, {s.in.n, s.oh, s.ow, s.oc}, "y");
  op.m = op.outputs / s.oc;
  return op;
}

OpAttrs ReadAttributes(Napi::Env env, OpKind kind, const Napi::Object& params) {
  OpAttrs attrs{kind, kActivationLinear, false, false, false, 0.0f, 0.0f, 0.0f};
  if (kind == OpKind::kConv2D) {
    const Conv2DAttributes a = ReadConv2DAttributes(params);
    attrs.act = a.activation;
    attrs.direct = a.direct;
    attrs.groups = a.groups;
  } else if (kind == OpKind::kDense) {
    attrs.act = ReadDenseAttributes(params).activation;
  } else if (kind == OpKind::kConv2DTranspose) {
    attrs.act = ReadConv2dTransposeAttributes(params).activation;
  } else if (kind == OpKind::kUpSampling2D) {
    attrs.bilinear = ReadUpsampling2dAttributes(params).bilinear;
  } else if (kind == OpKind::kAvgPool2D) {
    attrs.count_pad = ReadAvgPool2DAttributes(params).countIncludePad;
  } else if (kind == OpKind::kBatchNorm) {
    attrs.act = ReadBatchNormAttributes(params).activation;
  } else if (kind == OpKind::kDepthwise2D) {
    attrs.act = ReadDepthwise2dAttributes(params).activation;
  } else if (kind == OpKind::kActivation) {
    const ActivationOpAttributes a = ReadActivationOpAttributes(params);
    attrs.act = a.activation;
    attrs.alpha = a.alpha;
    attrs.max_value = a.maxValue;
    attrs.threshold = a.threshold;
  } else if (kind == OpKind::kMerge) {
    ReadMergeAttrs(env, params, &attrs);
  }
  return attrs;
}

ShapedOp ReadPlanned(Napi::Env env, OpKind kind, const Napi::Object& params) {
  const OpAttrs attrs = ReadAttributes(env, kind, params);
  ShapedOp op = ReadGeometry(env, attrs, params);
  PlanShaped(&op);
  return op;
}

}  // namespace napi
}  // namespace convkit
