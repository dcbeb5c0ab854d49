import type { Backend } from '../backends/backend';
import { options } from '../validate';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Planned } from './layer';
import { Pool2D, type Pool2DOptions } from './pooling';

/** padding: padded cells never win the max. */
export type MaxPool2DOptions = Pool2DOptions;

/** Max pooling over NHWC input, per channel: [N, H, W, C] -> [N, outH, outW, C]. */
export class MaxPool2D extends Pool2D {
  protected readonly input = { name: 'MaxPool2D', rank: 4, atLeast: false };

  constructor(opts?: MaxPool2DOptions) {
    super('MaxPool2D', options('MaxPool2D options', opts, true));
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    const p = this.window(shape);
    return { shape: [p.n, p.oh, p.ow, p.c], step: { op: 'maxpool2d', params: p } };
  }

  /** Each window's gradient to its first maximal cell, recomputed from x: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.window(x.shape);
    return {
      sync: () => ({ dx: new Tensor(b.maxpool2dBackward(x.data, dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.maxpool2dBackwardAsync(x.data, dy.data, p), x.shape) }),
    };
  }
}
