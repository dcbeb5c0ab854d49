import type { Backend, WindowParams } from '../backends/backend';
import { checkShape } from '../shape';
import { boolean, options } from '../validate';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Planned } from './layer';
import { checkDataFormat } from './pooling';
import { WeightlessLayer } from './weightless';

export interface GlobalPooling2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** false (default): [N, H, W, C] -> [N, C]; true: -> [N, 1, 1, C]. */
  keepdims?: boolean;
  /** Only 'channelsLast' (NHWC), the default: 'channelsFirst' is refused. */
  dataFormat?: 'channelsLast';
}

/**
 * A pool over each image's whole H x W, per channel: the pooling op with one window the size of
 * the image (the same kernels, which add its taps in row-major order), its [N, 1, 1, C] output
 * read as [N, C] unless keepdims.
 */
export abstract class GlobalPool2D extends WeightlessLayer {
  readonly keepdims: boolean;

  constructor(name: string, opts: unknown) {
    super();
    this.nameFrom(opts);
    const o = options(`${name} options`, opts, true);
    checkDataFormat(name, o.dataFormat);
    this.keepdims = o.keepdims === undefined ? false : boolean('keepdims', o.keepdims);
  }

  protected window(shape: readonly number[]): WindowParams {
    const [n, h, w, c] = shape;
    return { n, h, w, c, kh: h, kw: w, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 1, ow: 1 };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected ${this.input.name} input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    return this.keepdims ? [shape[0], 1, 1, shape[3]] : [shape[0], shape[3]];
  }
}

/** Keras GlobalAveragePooling2D: each channel's mean over H x W. */
export class GlobalAveragePooling2D extends GlobalPool2D {
  protected readonly input = { name: 'GlobalAveragePooling2D', rank: 4, atLeast: false };

  constructor(opts?: GlobalPooling2DOptions) {
    super('GlobalAveragePooling2D', opts);
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    return { shape: this.outputShape(shape), step: { op: 'avgpool2d', params: { ...this.window(shape), countIncludePad: false } } };
  }

  /** dy / (H * W) to every cell: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = { ...this.window(x.shape), countIncludePad: false };
    return {
      sync: () => ({ dx: new Tensor(b.avgpool2dBackward(dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.avgpool2dBackwardAsync(dy.data, p), x.shape) }),
    };
  }
}

/** Keras GlobalMaxPooling2D: each channel's max over H x W (NaN if any cell is NaN). */
export class GlobalMaxPooling2D extends GlobalPool2D {
  protected readonly input = { name: 'GlobalMaxPooling2D', rank: 4, atLeast: false };

  constructor(opts?: GlobalPooling2DOptions) {
    super('GlobalMaxPooling2D', opts);
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    return { shape: this.outputShape(shape), step: { op: 'maxpool2d', params: this.window(shape) } };
  }

  /** dy to each channel's first maximal cell, recomputed from x: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.window(x.shape);
    return {
      sync: () => ({ dx: new Tensor(b.maxpool2dBackward(x.data, dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.maxpool2dBackwardAsync(x.data, dy.data, p), x.shape) }),
    };
  }
}
