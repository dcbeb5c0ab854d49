// Each op's parameters as the backends take them: the geometry an operator is reshaped with and
// the attributes it is created with (generated from kernels.json's params), and the other shapes
// of the contract's calls (backend.ts).
import type { ActivationOpAttributes, ActivationOpGeometry, Conv2DAttributes, Conv2DGeometry, DenseAttributes, DenseGeometry, WindowGeometry } from '../generated/params';
import type { AvgPool2DAttributes, BatchNormAttributes, BatchNormGeometry, Depthwise2dAttributes, Depthwise2dGeometry, Pad2DGeometry } from '../generated/params';
import type { Conv2dTransposeAttributes, Conv2dTransposeGeometry, PermuteGeometry, Upsampling2dAttributes, Upsampling2dGeometry } from '../generated/params';
import type { ConcatGeometry, MergeAttributes, MergeGeometry } from '../generated/params';
import type { PreluGeometry } from '../generated/params';

/** Input size, window (as in shape.ts) and output size of a windowed op (kernels.json "params"). */
export type WindowParams = WindowGeometry;

/** A convolution's geometry, and the attributes its operator is created with. */
export interface Conv2DParams extends Conv2DGeometry, Conv2DAttributes {}

export interface DenseParams extends DenseGeometry, DenseAttributes {}

/** SeparableConv2D's two steps' params: the depthwise convolution's, then the pointwise one's on its output. */
export interface SeparableConv2DParams {
  depthwise: Depthwise2DParams;
  pointwise: Conv2DParams;
}

/** ZeroPadding2D and Cropping2D: the input cropped by ct, cb, cl, cr, then padded by pt, pb, pl, pr zeros. */
export type Pad2DParams = Pad2DGeometry;

/** An average pool's window, and whether padded cells count in its divisor (ONNX count_include_pad). */
export interface AvgPool2DParams extends WindowGeometry, AvgPool2DAttributes {}
/** Batch normalization over m rows of c channels (NHWC pixels, or Dense's rows), then its activation. */
export interface BatchNormParams extends BatchNormGeometry, BatchNormAttributes {}
/**
 * Training's calls: also the epsilon added to the variance; for the backward, frozen: the mean
 * and variance are constants (the moving ones, inference's form: dx = dy * gamma / sigma).
 */
export interface BatchNormTrainParams extends BatchNormGeometry { epsilon: number; frozen?: boolean }

/** Training's forward: y, and the batch's per-channel mean and biased variance. */
export interface BatchNormStats { y: Float32Array; mean: Float32Array; variance: Float32Array }
/** Its backward: dx like x, dgamma and dbeta of c floats. */
export interface BatchNormGrads { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array }
/** A depthwise convolution's geometry (oc = c * depth multiplier) and attributes; its kernel is kh * kw x oc. */
export interface Depthwise2DParams extends Depthwise2dGeometry, Depthwise2dAttributes {}
/** PReLU over m rows of c floats that share one row of c alphas (the layer makes its shared axes the rows). */
export type PReluParams = PreluGeometry;
/** PReLU's backward: dx like x, dalpha of c floats (summed over the m rows in float64). */
export interface PReluGrads { dx: Float32Array; dalpha: Float32Array }
/**
 * A standalone activation over m x n x inner floats (softmax: over the n of each strided row,
 * inner floats apart; inner is 1 for the last axis; the others are elementwise): relu is Keras's
 * ReLU(maxValue, negative_slope = alpha, threshold), leaky_relu and elu take alpha, the others
 * ignore the three.
 */
export interface ActivationOpParams extends ActivationOpGeometry, ActivationOpAttributes {}
/**
 * A transposed convolution: input [n, h, w, c], kernel [kh, kw, oc, c] packed as W^T (k = c,
 * n = kh * kw * oc), output [n, oh, ow, oc]; output cell (oy, ox) collects x[iy, ix] W[ky, kx]
 * where oy = iy * sh - pt + ky * dh and ox = ix * sw - pl + kx * dw.
 */
export interface Conv2DTransposeParams extends Conv2dTransposeGeometry, Conv2dTransposeAttributes {}

/** UpSampling2D by integer factors sh x sw: nearest, or bilinear (half-pixel centers). */
export interface UpSampling2DParams extends Upsampling2dGeometry, Upsampling2dAttributes {}

/** Permute: each sample's axes [d0, d1, d2] reordered, output axis k being input axis p<k>. */
export type PermuteParams = PermuteGeometry;
/**
 * An elementwise merge of two NHWC inputs a and b (shapes [an, ah, aw, ac] and [bn, bh, bw, bc],
 * each axis equal or 1 in one of them: it spreads over the other's) into their broadcast shape:
 * mode a MERGE code (kernels.json), divisor 0, or the count of inputs an Average divides by.
 */
export interface MergeParams extends MergeGeometry, MergeAttributes {}

/** Concatenation of a [m x ca] and b [m x cb] row by row into [m x (ca + cb)] (any axis: m the rows before it). */
export type ConcatParams = ConcatGeometry;

export interface GemmParams {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  alpha: number; beta: number;
  cRows: number; cCols: number;
  activation: number;
}

/**
 * How one op runs on a backend, decided once per input shape before any kernel runs (each backend
 * plans for itself: native/ops/plan.cc, lib/backends/plan.ts; the names and fields are shared).
 */
export interface Plan {
  /** PATH.gemm, PATH.im2colGemm, PATH.indirectGemm, PATH.winograd, PATH.maxpool or PATH.activation. */
  path: number;
  /** Participants: 1 runs on one thread. */
  threads: number;
  /** Taken in turn by the participants. */
  tasks: number;
  /** GEMM rows; output pixels for conv and max-pool; 2x2 output tiles for Winograd. */
  rows: number;
  /** GEMM rows, im2col segment rows, or pooled pixels per task. */
  rowsPerTask: number;
  /** 16-column panels of the GEMM's output, and per task. */
  panels: number;
  panelsPerTask: number;
  /** K rows per pass over a panel: chosen on the whole problem, so no result depends on the threads. */
  kBlock: number;
  /** Chunks of K computed apart and summed in order afterwards (1: none), and K rows per chunk. */
  kSplits: number;
  kChunk: number;
  /** Packed A in each slot, after the tile scratch (native GEMMs). */
  packFloats: number;
  /** Workspace of each participant (slot i at i * slotBytes): tile scratch, packed A, then the im2col segment. */
  slotBytes: number;
  /** Workspace all participants share: a split K's partial products (kSplits x rows x n floats); 0 when K is not split. */
  sharedBytes: number;
}
