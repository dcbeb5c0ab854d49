// Winograd F(2x2, 3x3) convolution (Lavin and Gray, 2015), as NNPACK and oneDNN run it: each
// 2x2 block of output pixels (a tile) comes from a 4x4 block of input through 16 element-wise
// products in a transformed space, so a 3x3 stride-1 convolution takes 16 GEMMs of
// tiles x c x oc where direct runs one of (4 x tiles) x 9c x oc: 2.25x fewer multiply-adds.
//   V = B^T d B (input tile, per channel), U = G g G^T (weights, per channel pair),
//   M_e = V_e U_e (16 GEMMs, e the element of the 4x4 transformed tile), Y = A^T M A.
// The transforms only add, subtract and halve, but a result is no longer a plain sum of the 9c
// products: its rounding error is bounded by the same sum taken over the transformed terms'
// magnitudes (test/helpers/winograd-bound.ts), and an infinite input can give NaN instead of
// +-Infinity in the outputs of the tiles that read it. docs/architecture.md states both; a layer built
// with algorithm: 'direct' never takes this path.
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>

#include "ops/activation.h"
#include "ops/plan.h"
#include "ops/workspace.h"

namespace convkit {

constexpr size_t kWinogradElements = 16;  // the 4x4 transformed tile
constexpr size_t kWinogradChunkPanels = 2;  // panels of M per pass (ops/winograd.cc)

// The transformed weights of one 3x3 kernel, built once on the first call that needs them (as
// XNNPACK and oneDNN keep theirs with the operator) and kept with the packed weights: 16 packed
// c x oc matrices, 16/9 of the packed kernel's size.
class WinogradCache {
 public:
  // U for a kernel of c channels and oc filters packed by PackWeights (9c x oc), built from
  // packed_w if not kept yet.
  std::shared_ptr<const Workspace> Get(const float* packed_w, size_t c, size_t oc);

 private:
  std::mutex mutex_;
  std::shared_ptr<const Workspace> kept_;
  size_t c_ = 0, oc_ = 0;
};

// Stride of the 16 planes of V or M that hold `floats` each: whole cache lines, an odd number of
// them, so that the 16 planes of a tile fall in 16 different L1 sets. A multiple of 4 KiB put
// them all in one set, and the transforms ran 3x slower (C3, one thread).
inline size_t WinogradPlane(size_t floats) {
  const size_t lines = (floats + 15) / 16;
  return (lines | 1) * 16;
}

// Floats of one transformed matrix U_e (PackWeights of c x oc).
size_t WinogradWeightsFloats(size_t c, size_t oc);

// Path::kWinograd: task t is a block of plan.rows_per_task tiles and a group of panels; each
// participant's slot holds the block's V (16 x tiles x c) and M (16 x tiles x 32 columns).
void RunWinograd(const Plan& plan, const Conv2DShape& s, const float* x, const float* u,
                 const float* bias, ClampRange clamp, float* y);

}  // namespace convkit
