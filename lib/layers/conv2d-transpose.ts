import type { Backend, Conv2DTransposeParams, PackedWeights, Step } from '../backends/backend';
import type { Padding } from '../shape';
import { fail, pair } from '../validate';
import { type ConvLayerOptions, convOptions } from './conv-options';
import { transposedAxis } from './transposed-window';
import { ImageConvLayer } from './image-conv';

export interface Conv2DTransposeOptions extends ConvLayerOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /**
   * 'valid' (default) or 'same' as Keras computes the output size, or [top, bottom, left, right]:
   * cells cropped from the full output (ONNX ConvTranspose's pads).
   */
  padding?: Padding;
  /** Extra rows and columns at the end of the output (Keras output_padding), each below its stride; null: Keras's default size. */
  outputPadding?: number | [number, number] | null;
  /** Only 1 (as tfjs-layers). */
  dilationRate?: number | [number, number];
  /** Keras's layout: [kernelH, kernelW, filters, inChannels], row-major. */
  kernel?: Float32Array;
}

/** out[i, j] = a[j, i] for a rows x cols. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/**
 * Transposed 2-D convolution (Keras Conv2DTranspose) over NHWC input: [N, H, W, C] ->
 * [N, outH, outW, filters], the gradient of a convolution with respect to its input.
 */
export class Conv2DTranspose extends ImageConvLayer<Conv2DTransposeParams> {
  protected readonly input = { name: 'Conv2DTranspose', rank: 4, atLeast: false };
  readonly outputPadding: [number, number] | null;
  readonly dilationRate: [number, number];

  constructor(opts: Conv2DTransposeOptions) {
    const c = convOptions('Conv2DTranspose', opts), o = c.o;
    super('Conv2DTranspose', c);
    this.nameFrom(opts);
    this.outputPadding = o.outputPadding === undefined || o.outputPadding === null ? null : pair('outputPadding', o.outputPadding, 0);
    this.outputPadding?.forEach((p, i) => {
      if (p >= this.strides[i]) fail('range', `integer below strides[${i}] (${this.strides[i]})`, `outputPadding[${i}]`, p);
    });
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
    if (this.dilationRate.some((d) => d !== 1)) fail('range', '1 (Conv2DTranspose has no dilation)', 'dilationRate', o.dilationRate);
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  /** A BatchNormalization after it runs as its own op: the fold scales kernel columns, and its kernel's last axis is the input's channels, not the output's. */
  override foldsChannelAffine(): boolean {
    return false;
  }

  protected kernelLayout(): string {
    return `[${this.kernelSize[0]}, ${this.kernelSize[1]}, ${this.filters}, ${this.depth ?? 'inChannels'}]`;
  }

  /** The GEMM multiplies each input pixel by W^T: c rows by kh * kw * filters columns. */
  protected override toPacked(kernel: Float32Array, depth: number): { matrix: Float32Array; k: number; n: number } {
    const cols = this.kernelSize[0] * this.kernelSize[1] * this.filters;
    return { matrix: transpose(kernel, cols, depth), k: depth, n: cols };
  }

  protected override fromPacked(matrix: Float32Array): Float32Array {
    const cols = this.kernelSize[0] * this.kernelSize[1] * this.filters;
    return transpose(matrix, matrix.length / cols, cols);
  }

  protected params(shape: readonly number[], linear = false): Conv2DTransposeParams {
    const [n, h, w, c] = shape;
    const op = this.outputPadding;
    const y = transposedAxis(h, this.kernelSize[0], this.strides[0], this.padding, 0, op && op[0]);
    const x = transposedAxis(w, this.kernelSize[1], this.strides[1], this.padding, 1, op && op[1]);
    if (y.out < 1 || x.out < 1) {
      throw new RangeError(`Expected Conv2DTranspose output size of at least 1x1 but padding ${JSON.stringify(this.padding)} over a ${h}x${w} input gives ${y.out}x${x.out}`);
    }
    return {
      n, h, w, c, kh: this.kernelSize[0], kw: this.kernelSize[1], sh: this.strides[0], sw: this.strides[1], dh: 1, dw: 1,
      pt: y.begin, pl: x.begin, oh: y.out, ow: x.out, oc: this.filters, activation: this.activationFor(linear),
    };
  }

  protected step(packed: PackedWeights, p: Conv2DTransposeParams): Step {
    return { op: 'conv2dTranspose', packed, bias: this.bias, params: p };
  }

  /** dx = the convolution of dY' with the kernel, dW = im2col(dY')^T x, dBias = column sums of dY': one backend call. */
  protected backwardMethods(b: Backend) {
    return [b.conv2dTransposeBackward, b.conv2dTransposeBackwardAsync] as [typeof b.conv2dTransposeBackward, typeof b.conv2dTransposeBackwardAsync];
  }
}
