#include "ops/operator.h"

#include "kernels/cpu-features.h"
#include "kernels/thread-pool.h"
#include "ops/conv2d.h"
#include "ops/dense.h"
#include "ops/maxpool2d.h"
#include "ops/conv2d-transpose.h"
#include "ops/upsampling2d.h"
#include "ops/permute.h"

namespace convkit {

void PlanShaped(ShapedOp* op) {
  const PlanTarget t = NativeTarget();
  switch (op->attrs.kind) {
    case OpKind::kConv2D:
      op->plan = PlanConv2D(op->s, op->attrs.direct, t);
      op->act = PlanOutputActivation(op->attrs.act, op->outputs / op->n, op->n, t);
      break;
    case OpKind::kMaxPool2D:
      op->plan = PlanMaxPool2D(op->s.in, op->s.win, op->s.oh, op->s.ow, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kDense:
      op->plan = PlanGemm(op->m, op->n, op->k, t);
      op->act = PlanOutputActivation(op->attrs.act, op->m, op->n, t);
      break;
    case OpKind::kConv2DTranspose:
      op->plan = PlanConv2DTranspose(op->s, t);
      op->act = PlanOutputActivation(op->attrs.act, op->outputs / op->s.oc, op->s.oc, t);
      break;
    case OpKind::kUpSampling2D:
      op->plan = PlanUpSampling2D(op->s, op->attrs.bilinear, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kPermute:
      op->plan = PlanPermute(op->s.in, op->perm, t);
      op->act = {kActivationLinear, {}};
      break;
  }
  op->isa = &ActiveKernels();
  op->pool_threads = NumThreads();
}

bool PlanIsStale(const ShapedOp& op) { return op.isa != &ActiveKernels() || op.pool_threads != NumThreads(); }

void RunShaped(const ShapedOp& op, const float* x, const float* packed_w, const float* bias,
               ConvCaches* caches, float* y) {
  switch (op.attrs.kind) {
    case OpKind::kConv2D:
      RunConv2D(op.plan, op.s, x, packed_w, bias, op.act, y, caches);
      break;
    case OpKind::kMaxPool2D:
      RunMaxPool2D(op.plan, op.s.in, op.s.win, op.s.oh, op.s.ow, x, y);
      break;
    case OpKind::kDense:
      RunDense(op.plan, op.k, op.n, x, packed_w, bias, op.act, y);
      break;
    case OpKind::kConv2DTranspose:
      RunConv2DTranspose(op.plan, op.s, x, packed_w, bias, op.act, y);
      break;
    case OpKind::kUpSampling2D:
      RunUpSampling2D(op.plan, op.s, x, y);
      break;
    case OpKind::kPermute:
      RunPermute(op.plan, op.s.in, op.perm, x, y);
      break;
  }
}

}  // namespace convkit
