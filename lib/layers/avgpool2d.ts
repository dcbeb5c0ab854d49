import type { AvgPool2DParams, Backend } from '../backends/backend';
import { boolean, options } from '../validate';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Planned } from './layer';
import { Pool2D, type Pool2DOptions } from './pooling';

export interface AveragePooling2DOptions extends Pool2DOptions {
  /**
   * false (default, Keras and TensorFlow.js): a window cut by the padding averages only its cells
   * inside the image. true: it divides by the whole window, padded cells counting as zeros
   * (ONNX AveragePool's count_include_pad = 1).
   */
  countIncludePad?: boolean;
}

/** Average pooling over NHWC input, per channel: [N, H, W, C] -> [N, outH, outW, C]. */
export class AveragePooling2D extends Pool2D {
  protected readonly input = { name: 'AveragePooling2D', rank: 4, atLeast: false };
  readonly countIncludePad: boolean;

  constructor(opts?: AveragePooling2DOptions) {
    const o = options('AveragePooling2D options', opts, true);
    super('AveragePooling2D', o);
    this.countIncludePad = o.countIncludePad === undefined ? false : boolean('countIncludePad', o.countIncludePad);
  }

  private params(shape: readonly number[]): AvgPool2DParams {
    return { ...this.window(shape), countIncludePad: this.countIncludePad };
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    const p = this.params(shape);
    return { shape: [p.n, p.oh, p.ow, p.c], step: { op: 'avgpool2d', params: p } };
  }

  /** Each window's dy / divisor to each of its cells, gathered per cell: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.params(x.shape);
    return {
      sync: () => ({ dx: new Tensor(b.avgpool2dBackward(dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.avgpool2dBackwardAsync(dy.data, p), x.shape) }),
    };
  }
}
