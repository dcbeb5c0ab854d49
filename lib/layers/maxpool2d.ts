import type { Backend, WindowParams } from '../backends/backend';
import { checkPadding, effectiveKernel, type Padding, resolveWindow, windowOutput } from '../shape';
import { checkInput } from '../tensor';
import { integer, options, pair } from '../validate';
import { Layer, type Call, type Weights } from './layer';

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
export class MaxPool2D extends Layer {
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
    if (Array.isArray(this.padding)) {
      // A window made only of padding would have no max.
      const [eh, ew] = [effectiveKernel(this.poolSize[0], this.dilationRate[0]), effectiveKernel(this.poolSize[1], this.dilationRate[1])];
      const limits = [eh, eh, ew, ew];
      this.padding.forEach((p, i) => {
        if (p >= limits[i]) {
          throw new RangeError(`Expected padding[${i}] smaller than the pooling window (${limits[i]}) but received ${p} of type number`);
        }
      });
    }
  }

  getWeights(): Weights {
    return { kernel: null, bias: null };
  }

  setWeights(weights: Partial<Weights>): void {
    const w = options('weights', weights, false);
    if ((w.kernel ?? null) !== null || (w.bias ?? null) !== null) {
      throw new TypeError('Expected no kernel or bias for MaxPool2D: it has no weights');
    }
  }

  private params(shape: readonly number[]): WindowParams {
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.poolSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput('MaxPool2D', win, h, w);
    return { n, h, w, c, ...win, oh, ow };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (!Array.isArray(inputShape) || inputShape.length !== 4) {
      throw new RangeError(`Expected MaxPool2D input shape of rank 4 (NHWC) but received [${String(inputShape)}]`);
    }
    inputShape.forEach((d, i) => integer(`inputShape[${i}]`, d));
    const p = this.params(inputShape);
    return [p.n, p.oh, p.ow, p.c];
  }

  protected prepare(input: unknown, _b: Backend): Call {
    const x = checkInput('MaxPool2D', input, 4);
    const p = this.params(x.shape);
    return { op: 'maxpool2d', args: [x.data, p], shape: [p.n, p.oh, p.ow, p.c] };
  }
}
