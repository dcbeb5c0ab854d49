import type { Backend, Pad2DParams } from '../backends/backend';
import { once, onceAsync } from '../backends/one-shot';
import { checkShape } from '../shape';
import { elements, fail, integer, options } from '../validate';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import type { Planned } from './layer';
import { checkDataFormat } from './pooling';
import { WeightlessLayer } from './weightless';

/** p, [h, w] (symmetric) or [[top, bottom], [left, right]], as Keras takes them. */
export type Padding2D = number | [number, number] | [[number, number], [number, number]];

/** Keras's three forms of ZeroPadding2D's padding and Cropping2D's cropping -> [top, bottom, left, right]. */
function sides(name: string, v: unknown): [number, number, number, number] {
  if (typeof v === 'number') {
    const p = integer(name, v, 0);
    return [p, p, p, p];
  }
  const hw = elements(name, v, 2);
  if (hw === null) fail('type', 'number, [h, w] or [[top, bottom], [left, right]]', name, v);
  if (typeof hw[0] === 'number' || typeof hw[1] === 'number') {
    const h = integer(`${name}[0]`, hw[0], 0), w = integer(`${name}[1]`, hw[1], 0);
    return [h, h, w, w];
  }
  const out: number[] = [];
  hw.forEach((side, i) => {
    const pair = elements(`${name}[${i}]`, side, 2);
    if (pair === null) fail('type', '[begin, end] array', `${name}[${i}]`, side);
    out.push(integer(`${name}[${i}][0]`, pair[0], 0), integer(`${name}[${i}][1]`, pair[1], 0));
  });
  return out as [number, number, number, number];
}

/**
 * The input cropped by `crop` then padded with zeros by `pad` ([top, bottom, left, right]):
 * one copy op (row copies). Its gradient is the same op with the two swapped.
 */
abstract class Pad2DLayer extends WeightlessLayer {
  protected readonly pad: [number, number, number, number] = [0, 0, 0, 0];
  protected readonly crop: [number, number, number, number] = [0, 0, 0, 0];

  /** Reads the sides of option `key` (default `fallback`) into pad or crop. */
  constructor(name: string, opts: unknown, key: 'padding' | 'cropping', fallback: number) {
    super();
    this.nameFrom(opts);
    const o = options(`${name} options`, opts, true);
    checkDataFormat(name, o.dataFormat);
    if (key === 'padding') this.pad = sides(key, o[key] ?? fallback);
    else this.crop = sides(key, o[key] ?? fallback);
  }

  protected params(shape: readonly number[], pad = this.pad, crop = this.crop): Pad2DParams {
    const [n, h, w, c] = shape;
    const [pt, pb, pl, pr] = pad, [ct, cb, cl, cr] = crop;
    if (ct + cb >= h || cl + cr >= w) {
      throw new RangeError(`Expected ${this.input.name}'s cropping [${crop.join(', ')}] to leave at least one row and column of its input [${shape.join(', ')}]`);
    }
    return { n, h, w, c, pt, pb, pl, pr, ct, cb, cl, cr, oh: h - ct - cb + pt + pb, ow: w - cl - cr + pl + pr };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected ${this.input.name} input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    const p = this.params(shape);
    return [p.n, p.oh, p.ow, p.c];
  }

  protected plan(shape: readonly number[], _b: Backend): Planned {
    const p = this.params(shape);
    return { shape: [p.n, p.oh, p.ow, p.c], step: { op: 'pad2d', params: p } };
  }

  /** dx: dy cropped where the forward padded and padded with zeros where it cropped. */
  protected gradCall(x: Tensor, dy: Tensor, b: Backend): GradCall {
    const out = this.params(x.shape);
    const step = { op: 'pad2d' as const, params: this.params([out.n, out.oh, out.ow, out.c], this.crop, this.pad) };
    return {
      sync: () => ({ dx: new Tensor(once(b, step, dy.data), x.shape) }),
      async: async () => ({ dx: new Tensor(await onceAsync(b, step, dy.data), x.shape) }),
    };
  }
}

export interface ZeroPadding2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** Zero rows and columns added: p, [h, w] or [[top, bottom], [left, right]]; 1 by default. */
  padding?: Padding2D;
  /** Only 'channelsLast' (NHWC), the default: 'channelsFirst' is refused. */
  dataFormat?: 'channelsLast';
}

/** Keras ZeroPadding2D: [N, H, W, C] -> [N, top + H + bottom, left + W + right, C]. */
export class ZeroPadding2D extends Pad2DLayer {
  protected readonly input = { name: 'ZeroPadding2D', rank: 4, atLeast: false };

  constructor(opts?: ZeroPadding2DOptions) {
    super('ZeroPadding2D', opts, 'padding', 1);
  }

  /** [top, bottom, left, right]. */
  get padding(): [number, number, number, number] {
    return [...this.pad];
  }
}

export interface Cropping2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  /** Rows and columns removed: c, [h, w] or [[top, bottom], [left, right]]; 0 by default. */
  cropping?: Padding2D;
  /** Only 'channelsLast' (NHWC), the default: 'channelsFirst' is refused. */
  dataFormat?: 'channelsLast';
}

/** Keras Cropping2D: [N, H, W, C] -> [N, H - top - bottom, W - left - right, C]. */
export class Cropping2D extends Pad2DLayer {
  protected readonly input = { name: 'Cropping2D', rank: 4, atLeast: false };

  constructor(opts?: Cropping2DOptions) {
    super('Cropping2D', opts, 'cropping', 0);
  }

  /** [top, bottom, left, right]. */
  get cropping(): [number, number, number, number] {
    return [...this.crop];
  }
}
