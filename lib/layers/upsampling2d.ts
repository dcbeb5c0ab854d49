import type { Backend, UpSampling2DParams } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { checkShape } from '../shape';
import { Tensor } from '../tensor';
import { oneOf, options, pair } from '../validate';
import type { Planned } from './layer';
import { WeightlessLayer } from './weightless';

export type Interpolation = 'nearest' | 'bilinear';
const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear'];

export interface UpSampling2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** Integer factors [rows, columns] (default 2). */
  size?: number | [number, number];
  /**
   * 'nearest' (default) repeats each pixel; 'bilinear' is Keras's tf.image.resize (half-pixel
   * centers: output row oy reads the input at (oy + 0.5) / size - 0.5, clamped to the image).
   */
  interpolation?: Interpolation;
}

/** Keras UpSampling2D over NHWC input: [N, H, W, C] -> [N, H * size[0], W * size[1], C]. */
export class UpSampling2D extends WeightlessLayer {
  protected readonly input = { name: 'UpSampling2D', rank: 4, atLeast: false };
  readonly size: [number, number];
  readonly interpolation: Interpolation;

  constructor(opts?: UpSampling2DOptions) {
    super();
    this.nameFrom(opts);
    const o = options('UpSampling2D options', opts, true);
    this.size = pair('size', o.size ?? 2);
    this.interpolation = oneOf('interpolation', o.interpolation ?? 'nearest', INTERPOLATIONS);
  }

  private params(shape: readonly number[]): UpSampling2DParams {
    const [n, h, w, c] = shape;
    return { n, h, w, c, sh: this.size[0], sw: this.size[1], bilinear: this.interpolation === 'bilinear' };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected UpSampling2D input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    return [shape[0], shape[1] * this.size[0], shape[2] * this.size[1], shape[3]];
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    return { shape: this.outputShape(shape), step: { op: 'upsampling2d', params: this.params(shape) } };
  }

  /** Each input cell gathers the gradients of the outputs that read it: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.params(x.shape);
    return {
      sync: () => ({ dx: new Tensor(b.upsampling2dBackward(dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.upsampling2dBackwardAsync(dy.data, p), x.shape) }),
    };
  }
}
