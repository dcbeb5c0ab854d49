// An op shaped for one input: its geometry, read and checked once per input shape, and its plan
// for the native target it was made for (XNNPACK's reshape). Immutable once made: a running call
// or a graph schedule holds its own reference, so a later reshape never changes what they run.
#pragma once
#include <cstddef>
#include <memory>

#include "kernels/activation.h"
#include "ops/activation.h"
#include "ops/merge.h"
#include "ops/pad2d.h"
#include "ops/plan.h"

namespace convkit {

struct ConvCaches;

enum class OpKind { kConv2D, kMaxPool2D, kDense,
  kAvgPool2D,
  kPad2D,
  kBatchNorm,
  kDepthwise2D,
  kActivation,
  kConv2DTranspose, kUpSampling2D,
  kPermute,
  kMerge,
  kConcat,
  kPRelu };

// What an op is, apart from its weights and its input's shape.
struct OpAttrs {
  OpKind kind;
  Activation act;  // conv2d, dense, batch norm and depthwise2d
  bool direct;     // conv2d: never the Winograd path
  bool count_pad;  // avgpool2d: divides by the whole window (ONNX count_include_pad)
  bool bilinear;   // upsampling2d: bilinear (else nearest)
  float alpha, max_value, threshold;  // activation: Keras's parameters (ops/elementwise-activation.h)
  int merge_mode = 0;          // merge: a MergeMode
  size_t merge_divisor = 0;    // merge: Average's count of inputs (0: none)
  size_t groups = 1;           // conv2d: channel groups (ops/plan.h Conv2DShape)
};

struct ShapedOp {
  OpAttrs attrs;
  Conv2DShape s;            // conv2d, the pools (oc = c) and depthwise2d;
                            // conv2dTranspose and upsampling2d: see their headers
  size_t m, k, n;           // the GEMM: dense's, or conv2d's K = kh * kw * c and n = oc;
                            // batch norm and prelu: m rows of n channels; activation: m rows
                            // of n, k = inner apart (softmax's strided rows; else 1); depthwise2d: its kernel,
                            // k = kh * kw taps by n = oc; conv2dTranspose: W^T's k = c and
                            // n = kh * kw * oc
  size_t inputs, outputs;   // floats in x and y
  Pad2DShape pad;           // pad2d
  size_t perm[3];           // permute: output axis k is input axis perm[k] (s.in = {n, d0, d1, d2})
  size_t second;            // floats in the second input (merge, concat); 0: the op has one
  MergeShape merge;         // merge: both inputs' shapes; concat: rows and each input's row in a[0..2]
  Plan plan;
  OutputActivation act;
  const IsaKernels* isa;    // ActiveKernels() and NumThreads() when planned
  size_t pool_threads;
};

// The plan of a shaped op for the native target now (the geometry is kept).
void PlanShaped(ShapedOp* op);
// Whether the ISA or the thread count changed since the op was planned.
bool PlanIsStale(const ShapedOp& op);

// Runs the op on its inputs xs (xs[0] the first; xs[1] the second of a merge or concat) into y:
// packed_w is PackWeights' k x n panels (null for max-pool), bias n floats or null (batch norm:
// its scale then shift, 2n floats; prelu: its alpha, n floats).
void RunShaped(const ShapedOp& op, const float* const* xs, const float* packed_w, const float* bias,
               ConvCaches* caches, float* y);

}  // namespace convkit
