import { Activation, type ActivationName, type ActivationOption, canonicalActivation } from '../activation';
import type { GradCall } from '../grad/gradients';
import type { Tensor } from '../tensor';
import type { Backend } from '../backends/backend';
import { checkShape, product } from '../shape';
import { boolean, integer, options } from '../validate';
import type { Planned } from './layer';
import { WeightedLayer } from './weighted';

export interface DenseOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  units: number;
  activation?: ActivationOption;
  useBias?: boolean;
  /** [inFeatures, units], row-major. */
  kernel?: Float32Array;
  bias?: Float32Array;
  /** Seed of the He-uniform initialisation used when no kernel is given (default 0). */
  seed?: number;
}

/** Fully connected layer: [N, ...] is flattened (row-major) to [N, K], then [N, K] x [K, units]. */
export class Dense extends WeightedLayer {
  protected readonly input = { name: 'Dense', rank: 2, atLeast: true };
  readonly activation: ActivationName;

  constructor(opts: DenseOptions) {
    const o = options('Dense options', opts, false);
    const units = integer('units', o.units);
    const activation = canonicalActivation('activation', o.activation ?? 'linear');
    const code = Activation[activation];
    super('Dense', 'features', units, 1, boolean('useBias', o.useBias ?? true), code, integer('seed', o.seed ?? 0, 0));
    this.nameFrom(opts);
    this.activation = activation;
    this.setWeights({ kernel: o.kernel as Float32Array | undefined, bias: o.bias as Float32Array | undefined });
  }

  protected kernelLayout(): string {
    return `[${this.depth ?? 'inFeatures'}, ${this.units}]`;
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length < 2) {
      throw new RangeError(`Expected Dense input shape of rank >= 2 but received [${shape.join(', ')}]`);
    }
    const k = product(shape.slice(1));
    if (this.depth !== null && k !== this.depth) {
      throw new RangeError(`Expected input with ${this.depth} features for Dense but received shape [${shape.join(', ')}]`);
    }
    return [shape[0], this.units];
  }

  protected plan(shape: readonly number[], b: Backend, linear = false): Planned {
    const m = shape[0], k = product(shape.slice(1));
    const packed = this.packedKernel(k, shape, b);
    const params = { m, k, n: this.units, activation: this.activationFor(linear) };
    return { shape: [m, this.units], step: { op: 'dense', packed, bias: this.bias, params } };
  }

  /** dW = X^T · dY', dX = dY' · W^T, dBias = column sums of dY', X = x as [m, k]: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend, preActivation: boolean): GradCall {
    const m = x.shape[0], k = product(x.shape.slice(1));
    const packed = this.packedKernel(k, x.shape, b); // initialises the kernel, checks the features
    const p = { m, k, n: this.units, activation: this.activationFor(preActivation), bias: this.useBias };
    return this.weightedGradCall(x, packed, {
      sync: (y, kernel, forward) => b.denseBackward(x.data, dy.data, y, kernel, p, forward),
      async: (y, kernel, forward) => b.denseBackwardAsync(x.data, dy.data, y, kernel, p, forward),
    });
  }
}
