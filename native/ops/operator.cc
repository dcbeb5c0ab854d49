#include "ops/operator.h"

#include "kernels/cpu-features.h"
#include "kernels/thread-pool.h"
#include "ops/batchnorm.h"
#include "ops/conv2d.h"
#include "ops/dense.h"
#include "ops/depthwise2d.h"
#include "ops/elementwise-activation.h"
#include "ops/maxpool2d.h"
#include "ops/conv2d-transpose.h"
#include "ops/upsampling2d.h"
#include "ops/permute.h"
#include "ops/prelu.h"

namespace convkit {

void PlanShaped(ShapedOp* op) {
  const PlanTarget t = NativeTarget();
  switch (op->attrs.kind) {
    case OpKind::kConv2D:
      op->plan = PlanConv2D(op->s, op->attrs.direct, t);
      op->act = PlanOutputActivation(op->attrs.act, op->outputs / op->s.oc, op->s.oc, t);
      break;
    case OpKind::kMaxPool2D:
    case OpKind::kAvgPool2D:
      op->plan = PlanMaxPool2D(op->s.in, op->s.win, op->s.oh, op->s.ow, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kPad2D:
      op->plan = PlanCopyRows(op->pad.in.n * op->pad.oh, op->pad.ow * op->pad.in.c, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kDense:
      op->plan = PlanGemm(op->m, op->n, op->k, t);
      op->act = PlanOutputActivation(op->attrs.act, op->m, op->n, t);
      break;
    case OpKind::kBatchNorm:
      op->plan = PlanBatchNorm(op->m, op->n, t);
      op->act = PlanOutputActivation(op->attrs.act, op->m, op->n, t);
      break;
    case OpKind::kDepthwise2D:
      op->plan = PlanDepthwise2D(op->s, t);
      op->act = PlanOutputActivation(op->attrs.act, op->outputs / op->n, op->n, t);
      break;
    case OpKind::kActivation:
      op->plan = PlanActivation(op->m, op->n, t);
      op->act = {kActivationLinear, {}};
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
    case OpKind::kMerge:
      op->plan = PlanMerge(Path::kMerge, op->merge.rows[0] * op->merge.rows[1] * op->merge.rows[2], op->merge.c, t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kConcat:
      op->plan = PlanMerge(Path::kConcat, op->merge.a[0], op->merge.a[1] + op->merge.a[2], t);
      op->act = {kActivationLinear, {}};
      break;
    case OpKind::kPRelu:
      op->plan = PlanPRelu(op->m, op->n, t);
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
      RunPool2D(op.plan, op.s.in, op.s.win, op.s.oh, op.s.ow, PoolReduce::kMax, x, y);
      break;
    case OpKind::kAvgPool2D:
      RunPool2D(op.plan, op.s.in, op.s.win, op.s.oh, op.s.ow,
                op.attrs.count_pad ? PoolReduce::kAverageCountPad : PoolReduce::kAverage, x, y);
      break;
    case OpKind::kPad2D:
      RunPad2D(op.plan, op.pad, x, y);
      break;
    case OpKind::kDense:
      RunDense(op.plan, op.k, op.n, x, packed_w, bias, op.act, y);
      break;
    case OpKind::kBatchNorm:
      RunBatchNorm(op.plan, op.n, x, bias, ClampFor(op.attrs.act), y);
      ApplyOutputActivation(op.act, y, op.n);
      break;
    case OpKind::kDepthwise2D:
      RunDepthwise2D(op.plan, op.s, x, packed_w, bias, op.act, y);
      break;
    case OpKind::kActivation:
      RunElementwiseActivation(op.plan, ActivationParams{op.attrs.act, op.attrs.alpha, op.attrs.max_value, op.attrs.threshold},
                               x, y, op.n, op.k);
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
    case OpKind::kMerge:
      RunMerge(op.plan, op.merge, x, xs[1], y);
      break;
    case OpKind::kConcat:
      RunConcat(op.plan, op.merge.a[1], op.merge.a[2], x, xs[1], y);
      break;
    case OpKind::kPRelu:
      RunPRelu(op.plan, op.n, x, bias, y);
      break;
  }
}

}  // namespace convkit
