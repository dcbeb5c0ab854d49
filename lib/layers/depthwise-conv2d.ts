import { activationCode, type ActivationName } from '../activation';
import type { GradCall } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { Backend, Depthwise2DParams } from '../backends/backend';
import { checkPadding, type Padding, resolveWindow, windowOutput } from '../shape';
import { boolean, fail, integer, options, pair } from '../validate';
import type { Planned } from './layer';
import { WeightedLayer } from './weighted';

export interface DepthwiseConv2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  /** 'valid' (default), 'same' (TensorFlow: odd padding at bottom/right) or [top, bottom, left, right]. */
  padding?: Padding;
  dilationRate?: number | [number, number];
  /** Output channels per input channel (default 1): output channel c * depthMultiplier + j reads input channel c. */
  depthMultiplier?: number;
  activation?: ActivationName;
  useBias?: boolean;
  /** Keras's depthwise_kernel: [kernelH, kernelW, inChannels, depthMultiplier], row-major. */
  kernel?: Float32Array;
  /** inChannels * depthMultiplier floats. */
  bias?: Float32Array;
  /** Seed of the He-uniform initialisation (fan-in kernelH * kernelW) used when no kernel is given (default 0). */
  seed?: number;
  /** 'channelsLast' only (NHWC); 'channelsFirst' is refused. */
  dataFormat?: 'channelsLast';
}

/**
 * Depthwise 2-D convolution over NHWC input, each input channel convolved with its own
 * depthMultiplier filters: [N, H, W, C] -> [N, outH, outW, C * depthMultiplier].
 */
export class DepthwiseConv2D extends WeightedLayer {
  protected readonly input = { name: 'DepthwiseConv2D', rank: 4, atLeast: false };
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly depthMultiplier: number;
  readonly activation: ActivationName;

  constructor(opts: DepthwiseConv2DOptions) {
    const o = options('DepthwiseConv2D options', opts, false);
    if (o.dataFormat !== undefined && o.dataFormat !== 'channelsLast') {
      fail('type', "'channelsLast' (convkit is NHWC; channels-first input is not supported)", 'dataFormat', o.dataFormat);
    }
    const kernelSize = pair('kernelSize', o.kernelSize);
    const multiplier = integer('depthMultiplier', o.depthMultiplier ?? 1);
    const activation = (o.activation ?? 'linear') as ActivationName;
    const code = activationCode('activation', activation);
    super('DepthwiseConv2D', 'channels', multiplier, kernelSize[0] * kernelSize[1], boolean('useBias', o.useBias ?? true), code,
      integer('seed', o.seed ?? 0, 0));
      this.nameFrom(opts);
    this.kernelSize = kernelSize;
    this.depthMultiplier = multiplier;
    this.strides = pair('strides', o.strides ?? 1);
    this.padding = checkPadding('padding', o.padding ?? 'valid');
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
    this.activation = activation;
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  protected kernelLayout(): string {
    return `[${this.kernelSize[0]}, ${this.kernelSize[1]}, ${this.depth ?? 'inChannels'}, ${this.depthMultiplier}]`;
  }

  protected override columns(depth: number | null): number | null {
    return depth === null ? null : depth * this.depthMultiplier;
  }

  /** [kh, kw, C, m] row-major is the taps x (C * m) matrix the depthwise kernels read by panels of channels. */
  protected override packDims(depth: number): { k: number; n: number } {
    return { k: this.kernelSize[0] * this.kernelSize[1], n: depth * this.depthMultiplier };
  }

  private params(shape: readonly number[], linear = false): Depthwise2DParams {
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.kernelSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('DepthwiseConv2D', win, h, w);
    return { n, h, w, c, ...win, oh, ow, oc: c * this.depthMultiplier, activation: this.activationFor(linear) };
  }

  outputShape(inputShape: readonly number[]): number[] {
    return this.convOutputShape(inputShape, (shape) => this.params(shape));
  }

  protected plan(shape: readonly number[], b: Backend, linear = false): Planned {
    const p = this.params(shape, linear);
    const packed = this.packedKernel(p.c, shape, b);
    return { shape: [p.n, p.oh, p.ow, p.oc], step: { op: 'depthwise2d', packed, bias: this.bias, params: p } };
  }

  /** dx (each input cell gathers from the windows that read it), dW and dBias: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const p = { ...this.params(x.shape), activation: this.activationFor(preActivation), bias: this.useBias };
    const packed = this.packedKernel(p.c, x.shape, b);
    return this.weightedGradCall(x, packed, {
      sync: (y, kernel, forward) => b.depthwise2dBackward(x.data, dy.data, y, kernel, p, forward),
      async: (y, kernel, forward) => b.depthwise2dBackwardAsync(x.data, dy.data, y, kernel, p, forward),
    });
  }
}
