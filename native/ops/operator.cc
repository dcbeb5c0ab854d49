#include "ops/operator.h"

#include "kernels/cpu-features.h"
#include "kernels/thread-pool.h"
#include "ops/conv2d.h"
#include "ops/dense.h"
#include "ops/maxpool2d.h"

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
    case OpKind::kMerge:
      op->plan = PlanMerge(Path::kMerge, op->merge.rows[0] * op->merge.rows[1] * op->merge.rows[2], op->merge.c, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kConcat:
      op->plan = PlanMerge(Path::kConcat, op->merge.a[0], op->merge.a[1] + op->merge.a[2], t);
      op->act = {kActivationLinear, {}};
      break;
  }
  op->isa = &ActiveKernels();
  op->pool_threads = NumThreads();
}

bool PlanIsStale(const ShapedOp& op) { return op.isa != &ActiveKernels() || op.pool_threads != NumThreads(); }

void RunShaped(const ShapedOp& op, const float* const* xs, const float* packed_w, const float* bias,
               ConvCaches* caches, float* y) {
  const float* x = xs[0];
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
    case OpKind::kMerge:
      RunMerge(op.plan, op.merge, x, xs[1], y);
      break;
    case OpKind::kConcat:
      RunConcat(op.plan, op.merge.a[1], op.merge.a[2], x, xs[1], y);
      break;
  }
}

}  // namespace convkit
