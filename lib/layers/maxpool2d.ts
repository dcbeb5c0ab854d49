import type { Backend, WindowParams } from '../backends/backend';
import { checkPadding, checkShape, firstEmptyWindow, type Padding, resolveWindow, windowOutput } from '../shape';
import { options, pair } from '../validate';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Planned } from './layer';
import { WeightlessLayer } from './weightless';

export interface MaxPool2DOptions {
  poolSize?: number | [number, number];
  /** Defaults to poolSize. */
  strides?: number | [number, number];
  /** 'valid' (default), 'same' or [top, bottom, left, right]; padded cells never win the max. */
  padding?: Padding;
  /** Spacing of the window taps (ONNX MaxPool dilations); 1 by default. */
  dilationRate?: number | [number, number];
}

/** Max pooling over NHWC input, per channel: [N, H, W, C] -> [N, outH, outW, C]. */
export class MaxPool2D extends WeightlessLayer {
  protected readonly input = { name: 'MaxPool2D', rank: 4, atLeast: false };
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];

  constructor(opts?: MaxPool2DOptions) {
    super();
    const o = options('MaxPool2D options', opts, true);
    this.poolSize = pair('poolSize', o.poolSize ?? 2);
    this.strides = pair('strides', o.strides ?? this.poolSize);
    this.padding = checkPadding('padding', o.padding ?? 'valid');
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
  }

  private params(shape: readonly number[]): WindowParams {
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.poolSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('MaxPool2D', win, h, w);
    // A window made only of padding would have no max.
    const row = firstEmptyWindow(h, win.kh, win.sh, win.dh, win.pt, oh);
    const col = firstEmptyWindow(w, win.kw, win.sw, win.dw, win.pl, ow);
    if (row >= 0 || col >= 0) {
      throw new RangeError(
        `Expected every MaxPool2D window to cover at least one input cell but the window at output ${row >= 0 ? `row ${row}` : `column ${col}`} ` +
          `covers only padding (padding [${win.pt}, ${win.pb}, ${win.pl}, ${win.pr}], dilation ${win.dh}x${win.dw}, input ${h}x${w})`,
      );
    }
    return { n, h, w, c, ...win, oh, ow };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected MaxPool2D input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    const p = this.params(shape);
    return [p.n, p.oh, p.ow, p.c];
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    const p = this.params(shape);
    return { shape: [p.n, p.oh, p.ow, p.c], step: { op: 'maxpool2d', params: p } };
  }

  /** Each window's gradient to its first maximal cell, recomputed from x: one backend call. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const p = this.params(x.shape);
    return {
      sync: () => ({ dx: new Tensor(b.maxpool2dBackward(x.data, dy.data, p), x.shape) }),
      async: async () => ({ dx: new Tensor(await b.maxpool2dBackwardAsync(x.data, dy.data, p), x.shape) }),
    };
  }
}
