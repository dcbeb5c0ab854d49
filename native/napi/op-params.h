// An op's params object read into its geometry, with every size checked: the windowed ops'
// input shape, window and output extent, dense's m x k x n, and the element counts of x and y.
// Read once per input shape (reshape), never per run. Reading params may run JavaScript
// (getters), so callers read params before they touch any array (see args.h).
#pragma once
#include <napi.h>

#include "ops/operator.h"

namespace convkit {
namespace napi {

// conv2d {n, h, w, c, window, oh, ow, oc}; maxpool2d {n, h, w, c, window, oh, ow}, every window
// holding a real cell; dense {m, k, n}; batchNorm {m, c}; activation {m, n}. oh and ow must
// match the window. No plan yet.
ShapedOp ReadGeometry(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params);

// An op's attributes: conv2d's and dense's activation, conv2d's direct, a standalone activation's
// code and parameters.
OpAttrs ReadAttributes(Napi::Env env, OpKind kind, const Napi::Object& params);

// A one-off call's params (the backward passes): the attributes (conv2d's and dense's
// activation, conv2d's direct) and the geometry from one object, planned for the target now.
ShapedOp ReadPlanned(Napi::Env env, OpKind kind, const Napi::Object& params);

// merge's attributes {mode, divisor} into attrs, checked.
void ReadMergeAttrs(Napi::Env env, const Napi::Object& params, OpAttrs* attrs);
// merge {an, ah, aw, ac, bn, bh, bw, bc}: two NHWC shapes that broadcast, with the op's attrs.
ShapedOp ReadMerge(Napi::Env env, const OpAttrs& attrs, const Napi::Object& params);

}  // namespace napi
}  // namespace convkit
