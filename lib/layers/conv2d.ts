import type { Backend, Conv2DParams, PackedWeights, Step } from '../backends/backend';
import { type Padding, resolveWindow, windowOutput } from '../shape';
import { oneOf, pair } from '../validate';
import { type ConvLayerOptions, convOptions } from './conv-options';
import { ImageConvLayer } from './image-conv';

export interface Conv2DOptions extends ConvLayerOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** 'valid' (default), 'same' (TensorFlow: odd padding at bottom/right) or [top, bottom, left, right]. */
  padding?: Padding;
  dilationRate?: number | [number, number];
  /** HWIO: [kernelH, kernelW, inChannels, filters], row-major. */
  kernel?: Float32Array;
  /**
   * 'auto' (default): the native backend runs a 3x3 stride-1 undilated convolution with at least
   * 32 input and 32 output channels and nine 2x2 output tiles as Winograd F(2x2, 3x3), 2.25x
   * fewer multiply-adds with a different rounding (docs/architecture.md, "Winograd F(2x2, 3x3)"). 'direct': always a direct sum of the kh * kw * c
   * products. The wasm backend always sums directly.
   */
  algorithm?: ConvAlgorithm;
}

export type ConvAlgorithm = 'auto' | 'direct';
const ALGORITHMS: readonly ConvAlgorithm[] = ['auto', 'direct'];

/** 2-D convolution over NHWC input: [N, H, W, C] -> [N, outH, outW, filters]. */
export class Conv2D extends ImageConvLayer<Conv2DParams> {
  protected readonly input = { name: 'Conv2D', rank: 4, atLeast: false };
  readonly dilationRate: [number, number];
  readonly algorithm: ConvAlgorithm;

  constructor(opts: Conv2DOptions) {
    const c = convOptions('Conv2D', opts), o = c.o;
    super('Conv2D', c);
    this.nameFrom(opts);
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
    this.algorithm = oneOf('algorithm', o.algorithm ?? 'auto', ALGORITHMS);
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  protected kernelLayout(): string {
    return `[${this.kernelSize[0]}, ${this.kernelSize[1]}, ${this.depth ?? 'inChannels'}, ${this.filters}]`;
  }

  protected params(shape: readonly number[], linear = false): Conv2DParams {
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.kernelSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('Conv2D', win, h, w);
    return { n, h, w, c, ...win, oh, ow, oc: this.filters, activation: this.activationFor(linear), direct: this.algorithm === 'direct' };
  }

  protected step(packed: PackedWeights, p: Conv2DParams): Step {
    return { op: 'conv2d', packed, bias: this.bias, params: p };
  }

  /** dW = im2col(x)^T · dY', dx = col2im(dY' · W^T), dBias = column sums of dY': one backend call. */
  protected backwardMethods(b: Backend) {
    return [b.conv2dBackward, b.conv2dBackwardAsync] as [typeof b.conv2dBackward, typeof b.conv2dBackwardAsync];
  }
}
