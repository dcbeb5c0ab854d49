// Conv2DTranspose (Keras; ONNX ConvTranspose with group 1), computed as a convolution's input
// gradient is: the input pixels times the packed W^T (c x kh*kw*oc) give each pixel's columns,
// which col2im adds into the output. s.in is the input [n, h, w, c]; s.win the kernel, strides,
// dilation and the crop pt / pl (pb, pr unused); s.oh, s.ow, s.oc the output. Output cell
// (oy, ox) collects x[iy, ix] W[ky, kx] wherever oy = iy sh - pt + ky dh, ox = ix sw - pl + kx dw.
#pragma once
#include "ops/activation.h"
#include "ops/plan.h"

namespace convkit {

// Input pixels per GEMM chunk: whole micro-tiles, their columns about kSegmentFloats floats.
size_t TransposedChunkPixels(size_t columns, size_t mr);

// Tasks are bands of output rows of one image (Path::kTransposedGemm): rows = n * oh,
// rows_per_task the band's rows; each slot holds one chunk's columns.
Plan PlanConv2DTranspose(const Conv2DShape& s, const PlanTarget& t);

// y = act(bias + the scattered columns): each band starts from the bias, adds every input
// pixel's columns in pixel order (so a cell's sum has the same order whatever the bands), then
// clamps; sigmoid, tanh and softmax run after, over the whole output. packed_wt: PackWeights of
// W^T, c x kh*kw*oc. bias: oc floats or null.
void RunConv2DTranspose(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_wt,
                        const float* bias, const OutputActivation& act, float* y);

}  // namespace convkit
