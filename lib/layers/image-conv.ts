import type { ActivationName } from '../activation';
import type { Padding } from '../shape';
import type { ConvCommon } from './conv-options';
import type { Backend, ForwardWeights, PackedWeights, Step, WeightedGrads } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { Planned } from './layer';
import { WeightedLayer } from './weighted';

/** A backend's backward of one layer kind (Backend.conv2dBackward and the like). */
type BackwardMethod<G, R> = (x: Float32Array, dy: Float32Array, y: Float32Array | null, kernel: Float32Array, p: G, forward?: ForwardWeights) => R;

/** The params every convolution over an NHWC image has (its input depth, its output's shape). */
interface ImageParams {
  n: number; c: number; oh: number; ow: number; oc: number; activation: number;
}

/**
 * What Conv2D and Conv2DTranspose share: an NHWC image in, [n, oh, ow, filters] out, one step
 * of their params and packed kernel forward, one backend call backward.
 */
export abstract class ImageConvLayer<P extends ImageParams> extends WeightedLayer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationName;

  protected constructor(layer: string, c: ConvCommon) {
    super(layer, 'channels', c.filters, c.kernelSize[0] * c.kernelSize[1], c.useBias, c.code, c.seed);
    this.filters = c.filters;
    this.kernelSize = c.kernelSize;
    this.strides = c.strides;
    this.padding = c.padding;
    this.activation = c.activation;
  }

  /** The op's params for an input of this shape (the activation left out when `linear`). */
  protected abstract params(shape: readonly number[], linear?: boolean): P;
  protected abstract step(packed: PackedWeights, p: P): Step;
  /** The backend's backward of this layer kind, sync and async. */
  protected abstract backwardMethods(b: Backend): [BackwardMethod<P & { bias: boolean }, WeightedGrads>, BackwardMethod<P & { bias: boolean }, Promise<WeightedGrads>>];

  outputShape(inputShape: readonly number[]): number[] {
    const p = this.params(this.imageShape(inputShape));
    return [p.n, p.oh, p.ow, p.oc];
  }

  protected plan(shape: readonly number[], b: Backend, linear = false): Planned {
    const p = this.params(shape, linear);
    return { shape: [p.n, p.oh, p.ow, p.oc], step: this.step(this.packedKernel(p.c, shape, b), p) };
  }

  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const p = { ...this.params(x.shape), activation: this.activationFor(preActivation), bias: this.useBias };
    const packed = this.packedKernel(p.c, x.shape, b); // initialises the kernel, checks the channels
    const [sync, async] = this.backwardMethods(b);
    return this.weightedGradCall(x, packed, {
      sync: (y, kernel, forward) => sync.call(b, x.data, dy.data, y, kernel, p, forward),
      async: (y, kernel, forward) => async.call(b, x.data, dy.data, y, kernel, p, forward),
    });
  }
}
