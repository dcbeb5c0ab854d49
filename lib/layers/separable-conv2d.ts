import { Activation, type ActivationName, type ActivationOption } from '../activation';
import type { Backend, Conv2DGradParams, Depthwise2DParams, Step } from '../backends/backend';
import type { GradCall, Gradients } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Padding } from '../shape';
import { fail, integer, options } from '../validate';
import { Conv2D } from './conv2d';
import { DepthwiseConv2D, type DepthwiseConv2DOptions } from './depthwise-conv2d';
import { Layer, type Planned, type Weights } from './layer';
import type { Trainable } from './trainable';

/** DepthwiseConv2D's window options (kernelSize, strides, padding, dilationRate, depthMultiplier, useBias, dataFormat) and its own. */
export interface SeparableConv2DOptions extends Omit<DepthwiseConv2DOptions, 'kernel' | 'bias' | 'activation' | 'seed'> {
  filters: number;
  /** Applied after the pointwise convolution and its bias. */
  activation?: ActivationOption;
  /** Keras's depthwise_kernel: [kernelH, kernelW, inChannels, depthMultiplier], row-major. */
  depthwiseKernel?: Float32Array;
  /** Keras's pointwise_kernel: [1, 1, inChannels * depthMultiplier, filters], row-major. */
  pointwiseKernel?: Float32Array;
  /** filters floats. */
  bias?: Float32Array;
  /** Seed of the He-uniform initialisations used when no kernels are given (default 0; the pointwise one uses seed + 1). */
  seed?: number;
}

/**
 * Depthwise separable 2-D convolution over NHWC input, as Keras's: a depthwise convolution
 * (kernelSize, strides, padding, dilationRate, depthMultiplier; no bias), then a 1x1 convolution
 * to `filters` channels, its bias and the activation. One step of two ops (one backend call, the
 * depthwise output in the graph's arena): [N, H, W, C] -> [N, outH, outW, filters].
 */
export class SeparableConv2D extends Layer {
  protected readonly input = { name: 'SeparableConv2D', rank: 4, atLeast: false };
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly depthMultiplier: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly depthwise: DepthwiseConv2D;
  private readonly pointwise: Conv2D;

  constructor(opts: SeparableConv2DOptions) {
    super();
    const o = options('SeparableConv2D options', opts, false);
    if (o.dataFormat !== undefined && o.dataFormat !== 'channelsLast') {
      fail('type', "'channelsLast' (convkit is NHWC; channels-first input is not supported)", 'dataFormat', o.dataFormat);
    }
    const seed = integer('seed', o.seed ?? 0, 0);
    // Each option is checked by the layer that takes it, under its own name.
    this.pointwise = new Conv2D({
      filters: o.filters as number, kernelSize: 1, activation: o.activation as ActivationOption, useBias: o.useBias as boolean | undefined,
      kernel: o.pointwiseKernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined, seed: seed + 1,
    });
    this.depthwise = new DepthwiseConv2D({
      kernelSize: o.kernelSize as number, strides: o.strides as number, padding: o.padding as Padding, dilationRate: o.dilationRate as number,
      depthMultiplier: o.depthMultiplier as number | undefined, useBias: false, kernel: o.depthwiseKernel as Float32Array | undefined, seed,
    });
    const d = this.depthwise, p = this.pointwise;
    this.filters = p.filters;
    this.kernelSize = d.kernelSize;
    this.strides = d.strides;
    this.padding = d.padding;
    this.dilationRate = d.dilationRate;
    this.depthMultiplier = d.depthMultiplier;
    this.activation = p.activation;
    this.useBias = (o.useBias ?? true) as boolean; // checked by the pointwise Conv2D
  }

  outputShape(inputShape: readonly number[]): number[] {
    return this.pointwise.outputShape(this.depthwise.outputShape(inputShape));
  }

  getWeights(): Weights {
    const { bias, kernel: pointwiseKernel } = this.pointwise.getWeights();
    return { kernel: null, bias, depthwiseKernel: this.depthwise.getWeights().kernel, pointwiseKernel };
  }

  /** Replaces depthwiseKernel, pointwiseKernel and/or bias (copied). */
  setWeights(weights: Partial<Weights>): void {
    const w = options('weights', weights, false) as Partial<Weights>;
    if (w.kernel !== undefined && w.kernel !== null) fail('type', 'depthwiseKernel and pointwiseKernel (SeparableConv2D has no kernel)', 'kernel', w.kernel);
    if (w.depthwiseKernel !== undefined && w.depthwiseKernel !== null) this.depthwise.setWeights({ kernel: w.depthwiseKernel });
    const pw: Partial<Weights> = {};
    if (w.pointwiseKernel !== undefined && w.pointwiseKernel !== null) pw.kernel = w.pointwiseKernel;
    if (w.bias !== undefined) pw.bias = w.bias;
    this.pointwise.setWeights(pw);
    this.weightsChanged();
  }

  /** @internal fit trains both kernels and the bias, the inner layers' own arrays (Trainable). */
  override trainer(): Trainable {
    return this;
  }

  /** @internal The arrays the optimizer updates in place, by the names of backward's gradients. */
  trainableWeights(): Record<string, Float32Array | null> {
    const p = this.pointwise.trainableWeights();
    return { depthwiseKernel: this.depthwise.trainableWeights().kernel, pointwiseKernel: p.kernel, bias: p.bias };
  }

  /** @internal The weights changed in place: both parts pack them again, and the step is made again. */
  weightsUpdated(): void {
    this.depthwise.weightsUpdated();
    this.pointwise.weightsUpdated();
    this.weightsChanged();
  }

  endTraining(): void {
    this.depthwise.endTraining();
    this.pointwise.endTraining();
  }

  /** The depthwise step, then the pointwise step on its output: one chain step. */
  protected plan(shape: readonly number[], b: Backend, linear = false): Planned {
    const d = this.depthwise.planStepAs(shape, b, false), p = this.pointwise.planStepAs(d.shape, b, linear);
    const depthwise = d.step!, pointwise = p.step!;
    const step: Step = { op: 'separable2d', depthwise, pointwise, params: { depthwise: depthwise.params as Depthwise2DParams, pointwise: pointwise.params as never } };
    return { shape: p.shape, step };
  }

  /**
   * The depthwise output z (one backend call), then the pointwise backward on it (dz, its kernel
   * and bias) and the depthwise backward of dz (dx, its kernel).
   */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const steps = this.plan(x.shape, b) as Planned & { step: Extract<Step, { op: 'separable2d' }> };
    const dw = steps.step.depthwise as Extract<Step, { op: 'depthwise2d' }>, pw = steps.step.pointwise as Extract<Step, { op: 'conv2d' }>;
    const pp: Conv2DGradParams = { ...pw.params, bias: this.useBias, ...(preActivation ? { activation: Activation.linear } : {}) };
    const dp = { ...dw.params, activation: Activation.linear, bias: false };
    const { depthwiseKernel, pointwiseKernel } = this.getWeights();
    const grads = (dx: Float32Array, d: Float32Array, p: { dw: Float32Array; db: Float32Array | null }): Gradients => {
      const g: Gradients = { dx: new Tensor(dx, x.shape), depthwiseKernel: d, pointwiseKernel: p.dw };
      if (p.db) g.bias = p.db;
      return g;
    };
    const dwForward = { packed: dw.packed, bias: null }, pwForward = { packed: pw.packed, bias: pw.bias };
    return {
      sync: (y) => {
        const z = this.depthwise.forward(x).data;
        const p = b.conv2dBackward(z, dy.data, y, pointwiseKernel!, pp, pwForward);
        const d = b.depthwise2dBackward(x.data, p.dx, null, depthwiseKernel!, dp, dwForward);
        return grads(d.dx, d.dw, p);
      },
      async: async (y) => {
        // What the later calls read, taken now (GradCall.async's rule).
        const xs = x.data.slice(), dys = dy.data.slice(), ys = y && y.slice();
        const z = (await this.depthwise.forwardAsync(new Tensor(xs, x.shape))).data;
        const p = await b.conv2dBackwardAsync(z, dys, ys, pointwiseKernel!, pp, pwForward);
        const d = await b.depthwise2dBackwardAsync(xs, p.dx, null, depthwiseKernel!, dp, dwForward);
        return grads(d.dx, d.dw, p);
      },
    };
  }
}
