// How one op call runs, decided once from its shapes before any kernel runs (as MLAS's
// ConvPrepare and XNNPACK's reshape do): the path, the tasks and how threads share them, the
// GEMM's K blocking and each thread's workspace. The kernels below only follow it.
// lib/backends/plan.ts makes the same plan, by the same rules, for the wasm kernels
// (test/constants.test.ts compares the two).
#pragma once
#include <cstddef>

#include "generated/kernels.h"
#include "kernels/gemm.h"
#include "ops/window.h"

namespace convkit {

struct Plan {
  Path path;
  const IsaKernels* kernels;  // the ISA's micro-kernels the plan was made for
  size_t threads;           // participants: 1 runs on the calling thread alone
  size_t tasks;             // taken in turn by the participants
  size_t rows;              // GEMM rows, output pixels for conv and max-pool
  size_t rows_per_task;     // GEMM rows, im2col segment rows, or pooled pixels per task
  size_t panels;            // 16-column panels of the GEMM's output
  size_t panels_per_task;
  size_t k_block;           // K rows per pass over a panel: chosen on the whole problem, never
                            // on a task, so the bits of a result do not depend on the threads
  size_t k_splits;          // chunks of K computed apart and summed in order afterwards (1: none)
  size_t k_chunk;           // K rows per chunk
  size_t pack_floats;       // packed A in each slot, after the tile scratch (native GEMMs)
  size_t slot_bytes;        // workspace of each participant (slot i at i * slot_bytes): tile
                            // scratch, packed A, then the im2col segment
  size_t shared_bytes;      // workspace all participants share: a split K's partial products
                            // (k_splits x rows x n floats), 0 when K is not split
};

// What differs between the backends that follow the same rules.
struct PlanTarget {
  const IsaKernels* kernels;   // native: the micro-kernels to run (null elsewhere)
  size_t mr;                    // rows of the GEMM micro-kernel
  size_t packed_mr;             // the same over packed A (IsaKernels::packed_mr)
  size_t threads;               // threads the backend may use now
  double parallel_macs;         // below this, one thread
  double parallel_reads;        // the same for max-pool
  double parallel_activations;  // the same for an activation pass (floats)
  size_t tile_bytes;            // per-participant edge-tile scratch the GEMM driver needs
  size_t pointer_bytes;         // size of one tap pointer (max-pool's indirection list)
  bool pack_a;                  // the GEMM driver packs blocks of A into the slot
  bool split_k;                 // a GEMM may split K into chunks (RunMatmul sums them)
  bool indirect;                // convolutions may use the indirect GEMM
  bool winograd;                // 3x3 stride-1 convolutions may run as Winograd F(2x2, 3x3)
};

// The native target now: the active micro-kernel, the pool's thread count.
PlanTarget NativeTarget();

// C[m x n] = A[m x k] * W: tasks of whole row tiles (split along M) or of panels (few rows).
Plan PlanGemm(size_t m, size_t n, size_t k, const PlanTarget& t);

struct Conv2DShape {
  Nhwc in;
  Window2D win;
  size_t oh, ow, oc;  // checked by the caller to match OutputExtent
  // Conv2D's channel groups: group g convolves channels [g c / groups, (g + 1) c / groups) of x
  // with its own kernel into columns [g oc / groups, (g + 1) oc / groups) of y. Its kernel is
  // packed as one k x GroupedColumns(oc, groups) matrix: K = kh kw c / groups rows, each group's
  // columns zero-padded to whole panels, so group g's panels begin at panel g * GroupPanels.
  size_t groups = 1;
};

// 16-column panels of one group's output columns.
inline size_t GroupPanels(size_t oc, size_t groups) { return (oc / groups + kGemmNR - 1) / kGemmNR; }
// Columns of a grouped kernel's packed matrix (oc when groups is 1 and oc a multiple of 16).
inline size_t GroupedColumns(size_t oc, size_t groups) {
  return groups == 1 ? oc : groups * GroupPanels(oc, groups) * kGemmNR;
}

// 1x1 stride-1 unpadded: the GEMM of x itself; 3x3 stride 1 with enough channels, unless
// `direct`: Winograd F(2x2, 3x3) (rows are then 2x2 output tiles); otherwise the indirect GEMM
// or im2col segments of bounded size.
Plan PlanConv2D(const Conv2DShape& s, bool direct, const PlanTarget& t);

// Runs of output pixels.
Plan PlanMaxPool2D(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const PlanTarget& t);

// Depthwise convolution: runs of output pixels, as max-pool's (the kernel streams x once).
Plan PlanDepthwise2D(const Conv2DShape& s, const PlanTarget& t);

// Sigmoid, tanh or softmax over a finished rows x cols output: tasks of whole rows.
Plan PlanActivation(size_t rows, size_t cols, const PlanTarget& t);

// A copy of rows x cols floats (pad2d): tasks of whole rows.
Plan PlanCopyRows(size_t rows, size_t cols, const PlanTarget& t);
// Batch normalization's per-channel y = x * s + t over rows of c floats: tasks of whole rows,
// about kActivationFloatsPerTask floats each.
Plan PlanBatchNorm(size_t rows, size_t c, const PlanTarget& t);
// A merge or concat writing rows of c floats: units of one row's segment of at most
// kMergeFloatsPerTask floats (k_chunk floats, panels segments per row, rows units), tasks of
// about kMergeFloatsPerTask floats.
Plan PlanMerge(Path path, size_t rows, size_t c, const PlanTarget& t);

}  // namespace convkit
