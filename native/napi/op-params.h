// An op's params object read into its shapes, sizes and plan, with every size checked: shared by
// the single-op calls (bindings.cc) and the chained one (sequential.cc), so both accept exactly
// the same params. Reading params may run JavaScript (getters), so callers read every op's params
// before they touch any array (see args.h).
#pragma once
#include <napi.h>

#include <cstddef>

#include "ops/activation.h"
#include "ops/plan.h"

namespace convkit {
namespace napi {

struct Conv2DCall {
  Conv2DShape s;
  OutputActivation act;
  size_t k;                  // rows of the kernel: kh * kw * c
  size_t inputs, outputs;    // floats in x and y
  Plan plan;
};

struct MaxPool2DCall {
  Nhwc in;
  Window2D win;
  size_t oh, ow;
  size_t inputs, outputs;
  Plan plan;
};

struct DenseCall {
  size_t m, k, n;
  OutputActivation act;
  size_t inputs, outputs;
  Plan plan;
};

// params of conv2d {n, h, w, c, window, oh, ow, oc, activation, direct?}; oh and ow must match the
// window; direct (default false) keeps the convolution off the Winograd path.
Conv2DCall ReadConv2D(Napi::Env env, const Napi::Object& params);
// params of maxpool2d {n, h, w, c, window, oh, ow}; every window must hold a real cell.
MaxPool2DCall ReadMaxPool2D(Napi::Env env, const Napi::Object& params);
// params of dense {m, k, n, activation}.
DenseCall ReadDense(Napi::Env env, const Napi::Object& params);

// The shape of a conv2d params object with oh and ow checked (for _plan, which plans without running).
Conv2DShape Conv2DFields(Napi::Env env, const Napi::Object& params);
// Input shape, window and checked output extent of a maxpool2d params object (for _plan).
void MaxPool2DFields(Napi::Env env, const Napi::Object& params, Nhwc* in, Window2D* win, size_t* oh, size_t* ow);

}  // namespace napi
}  // namespace convkit
