import type { Backend, Conv2DParams, Depthwise2DParams, PackedWeights, Step } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { type Padding, resolveWindow, windowOutput } from '../shape';
import type { Tensor } from '../tensor';
import { fail, integer, oneOf, pair } from '../validate';
import { type ConvLayerOptions, convOptions } from './conv-options';
import { blockDiagonal, fromGroupPanels, toGroupPanels } from './grouped-kernel';
import { groupedGradCall } from './grouped-grad';
import { ImageConvLayer } from './image-conv';

export interface Conv2DOptions extends ConvLayerOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** 'valid' (default), 'same' (TensorFlow: odd padding at bottom/right) or [top, bottom, left, right]. */
  padding?: Padding;
  dilationRate?: number | [number, number];
  /**
   * Channel groups (default 1), as Keras: the input channels and the filters both split into
   * `groups` equal parts; group g convolves input channels [g c / groups, (g + 1) c / groups) with
   * filters [g filters / groups, (g + 1) filters / groups). The kernel is then
   * [kernelH, kernelW, inChannels / groups, filters].
   */
  groups?: number;
  /** HWIO: [kernelH, kernelW, inChannels / groups, filters], row-major. */
  kernel?: Float32Array;
  /**
   * 'auto' (default): the native backend runs a 3x3 stride-1 undilated convolution with at least
   * 32 input and 32 output channels and nine 2x2 output tiles as Winograd F(2x2, 3x3), 2.25x
   * fewer multiply-adds with a different rounding (docs/architecture.md, "Winograd F(2x2, 3x3)"). 'direct': always a direct sum of the kh * kw * c
   * products. The wasm backend always sums directly, and so do both for a grouped convolution.
   */
  algorithm?: ConvAlgorithm;
}

export type ConvAlgorithm = 'auto' | 'direct';

/** A convolution's params as a depthwise one's (the window, oc and the activation). */
function depthwiseParams(p: Conv2DParams): Depthwise2DParams {
  const { groups: _g, direct: _d, ...rest } = p;
  return rest;
}
const ALGORITHMS: readonly ConvAlgorithm[] = ['auto', 'direct'];

/** 2-D convolution over NHWC input: [N, H, W, C] -> [N, outH, outW, filters]. */
export class Conv2D extends ImageConvLayer<Conv2DParams> {
  protected readonly input = { name: 'Conv2D', rank: 4, atLeast: false };
  readonly dilationRate: [number, number];
  readonly algorithm: ConvAlgorithm;
  readonly groups: number;

  constructor(opts: Conv2DOptions) {
    const c = convOptions('Conv2D', opts), o = c.o;
    super('Conv2D', c);
    this.nameFrom(opts);
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
    this.algorithm = oneOf('algorithm', o.algorithm ?? 'auto', ALGORITHMS);
    this.groups = integer('groups', o.groups ?? 1);
    if (this.filters % this.groups !== 0) fail('range', `a divisor of filters (${this.filters})`, 'groups', this.groups);
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  protected kernelLayout(): string {
    const depth = this.groups === 1 ? this.depth ?? 'inChannels' : this.depth !== null ? this.depth / this.groups : `inChannels / ${this.groups}`;
    return `[${this.kernelSize[0]}, ${this.kernelSize[1]}, ${depth}, ${this.filters}]`;
  }

  /** Each group's filters read only its share of the channels. */
  protected override kernelPerDepth(): number {
    return this.kernelSize[0] * this.kernelSize[1] * (this.filters / this.groups);
  }

  protected override packDims(depth: number): { k: number; n: number } {
    return { k: this.kernelSize[0] * this.kernelSize[1] * (depth / this.groups), n: this.filters };
  }

  /**
   * The groups the op runs for an input depth: groups of fewer than 16 filters run together, as
   * many as make at most one 16-column panel, on their block-diagonal kernel (a 4-filter group
   * alone fills a quarter of a panel, and its edge tile costs more than the zeros: ResNeXt's 32
   * groups of 4 take 1.13 ms of CPU as 8 of 16 natively, 1.44 ms as 32 and 2.3 ms as 4 of 32;
   * wasm 5.3, 8.7 and 8.0 ms). A group per channel runs as the depthwise op instead.
   */
  private opGroups(depth: number): number {
    if (this.groups === 1 || this.groups === depth) return this.groups;
    let q = 1;
    for (let d = 2; d <= this.groups; d++) if (this.groups % d === 0 && d * (this.filters / this.groups) <= 16) q = d;
    return this.groups / q;
  }

  private groupedShape(depth: number) {
    return { taps: this.kernelSize[0] * this.kernelSize[1], depth: depth / this.groups, filters: this.filters, groups: this.groups };
  }

  protected override toPacked(kernel: Float32Array, depth: number): { matrix: Float32Array; k: number; n: number } {
    if (this.groups === 1 || this.groups === depth) return super.toPacked(kernel, depth); // a depthwise kernel (step)
    const s = this.groupedShape(depth), runs = this.opGroups(depth);
    const k = runs < this.groups ? blockDiagonal(kernel, s, false, runs) : kernel;
    return toGroupPanels(k, { ...s, depth: depth / runs, groups: runs });
  }

  protected override fromPacked(matrix: Float32Array): Float32Array {
    const depth = this.depth as number;
    if (this.groups === 1 || this.groups === depth) return matrix;
    const runs = this.opGroups(depth), k = fromGroupPanels(matrix, this.filters, runs);
    return runs < this.groups ? blockDiagonal(k, this.groupedShape(depth), true, runs) : k;
  }

  protected params(shape: readonly number[], linear = false): Conv2DParams {
    const [n, h, w, c] = shape;
    if (c % this.groups !== 0) {
      throw new RangeError(`Expected input channels divisible by groups (${this.groups}) for Conv2D but received shape [${shape.join(', ')}]`);
    }
    const win = resolveWindow(this.kernelSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('Conv2D', win, h, w);
    const p: Conv2DParams = { n, h, w, c, ...win, oh, ow, oc: this.filters, activation: this.activationFor(linear), direct: this.algorithm === 'direct' };
    const runs = this.opGroups(c);
    if (runs > 1) p.groups = runs;
    return p;
  }

  /**
   * A group per channel is a depthwise convolution of multiplier filters / c: its kernel
   * [kh, kw, 1, filters] is DepthwiseConv2D's [kh, kw, c, filters / c], and it runs as one.
   */
  protected step(packed: PackedWeights, p: Conv2DParams): Step {
    if (this.groups > 1 && this.groups === p.c) return { op: 'depthwise2d', packed, bias: this.bias, params: depthwiseParams(p) };
    return { op: 'conv2d', packed, bias: this.bias, params: p };
  }

  /**
   * dW = im2col(x)^T · dY', dx = col2im(dY' · W^T), dBias = column sums of dY': one backend call
   * (a grouped one on its block-diagonal kernel: lib/layers/grouped-grad.ts).
   */
  protected backwardMethods(b: Backend) {
    return [b.conv2dBackward, b.conv2dBackwardAsync] as [typeof b.conv2dBackward, typeof b.conv2dBackwardAsync];
  }

  protected override gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    if (this.groups === 1) return super.gradCall(x, dy, b, preActivation);
    const { groups: _, ...p } = { ...this.params(x.shape), activation: this.activationFor(preActivation), bias: this.useBias };
    const packed = this.packedKernel(p.c, x.shape, b); // initialises the kernel, checks the channels
    if (this.groups === p.c) {
      const dp = { ...depthwiseParams(p), bias: this.useBias };
      return this.weightedGradCall(x, packed, {
        sync: (y, kernel, forward) => b.depthwise2dBackward(x.data, dy.data, y, kernel, dp, forward),
        async: (y, kernel, forward) => b.depthwise2dBackwardAsync(x.data, dy.data, y, kernel, dp, forward),
      });
    }
    return groupedGradCall(b, x, dy, this.currentKernel() as Float32Array, this.bias, this.groupedShape(p.c), p);
  }
}
