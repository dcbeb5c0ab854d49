// An op shaped for one input: its geometry, read and checked once per input shape, and its plan
// for the native target it was made for (XNNPACK's reshape). Immutable once made: a running call
// or a graph schedule holds its own reference, so a later reshape never changes what they run.
#pragma once
#include <cstddef>
#include <memory>

#include "kernels/activation.h"
#include "ops/activation.h"
#include "ops/merge.h"
#include "ops/plan.h"

namespace convkit {

struct ConvCaches;

enum class OpKind { kConv2D, kMaxPool2D, kDense,
  kMerge,
  kConcat };

// What an op is, apart from its weights and its input's shape.
struct OpAttrs {
  OpKind kind;
  Activation act;  // conv2d and dense
  bool direct;     // conv2d: never the Winograd path
  int merge_mode = 0;          // merge: a MergeMode
  size_t merge_divisor = 0;    // merge: Average's count of inputs (0: none)
};

struct ShapedOp {
  OpAttrs attrs;
  Conv2DShape s;            // conv2d and maxpool2d (oc = c for max-pool)
  size_t m, k, n;           // the GEMM: dense's, or conv2d's K = kh * kw * c and n = oc
  size_t inputs, outputs;   // floats in x and y
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
// packed_w is PackWeights' k x n panels (null for max-pool), bias n floats or null.
void RunShaped(const ShapedOp& op, const float* const* xs, const float* packed_w, const float* bias,
               ConvCaches* caches, float* y);

}  // namespace convkit
