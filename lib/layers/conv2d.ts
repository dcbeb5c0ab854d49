import type { ActivationName } from '../activation';
import type { GradCall } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { Backend, Conv2DParams } from '../backends/backend';
import { type Padding, resolveWindow, windowOutput } from '../shape';
import { oneOf, pair } from '../validate';
import { convOptions } from './conv-options';
import type { Planned } from './layer';
import { WeightedLayer } from './weighted';

export interface Conv2DOptions {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  /** 'valid' (default), 'same' (TensorFlow: odd padding at bottom/right) or [top, bottom, left, right]. */
  padding?: Padding;
  dilationRate?: number | [number, number];
  activation?: ActivationName;
  useBias?: boolean;
  /** HWIO: [kernelH, kernelW, inChannels, filters], row-major. */
  kernel?: Float32Array;
  bias?: Float32Array;
  /** Seed of the He-uniform initialisation used when no kernel is given (default 0). */
  seed?: number;
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
export class Conv2D extends WeightedLayer {
  protected readonly input = { name: 'Conv2D', rank: 4, atLeast: false };
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly algorithm: ConvAlgorithm;

  constructor(opts: Conv2DOptions) {
    const { o, filters, kernelSize, strides, padding, activation, code, useBias, seed } = convOptions('Conv2D', opts);
    super('Conv2D', 'channels', filters, kernelSize[0] * kernelSize[1], useBias, code, seed);
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.strides = strides;
    this.padding = padding;
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
    this.activation = activation;
    this.algorithm = oneOf('algorithm', o.algorithm ?? 'auto', ALGORITHMS);
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  protected kernelLayout(): string {
    return `[${this.kernelSize[0]}, ${this.kernelSize[1]}, ${this.depth ?? 'inChannels'}, ${this.filters}]`;
  }

  private params(shape: readonly number[], linear = false): Conv2DParams {
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.kernelSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('Conv2D', win, h, w);
    return { n, h, w, c, ...win, oh, ow, oc: this.filters, activation: this.activationFor(linear), direct: this.algorithm === 'direct' };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const p = this.params(this.imageShape(inputShape));
    return [p.n, p.oh, p.ow, p.oc];
  }

  protected plan(shape: readonly number[], b: Backend, linear = false): Planned {
    const p = this.params(shape, linear);
    const packed = this.packedKernel(p.c, shape, b);
    return { shape: [p.n, p.oh, p.ow, p.oc], step: { op: 'conv2d', packed, bias: this.bias, params: p } };
  }

  /** dW = im2col(x)^T · dY', dx = col2im(dY' · W^T), dBias = column sums of dY': one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const p = { ...this.params(x.shape), activation: this.activationFor(preActivation), bias: this.useBias };
    const packed = this.packedKernel(p.c, x.shape, b); // initialises the kernel, checks the channels
    return this.weightedGradCall(x, packed, {
      sync: (y, kernel, forward) => b.conv2dBackward(x.data, dy.data, y, kernel, p, forward),
      async: (y, kernel, forward) => b.conv2dBackwardAsync(x.data, dy.data, y, kernel, p, forward),
    });
  }
}
