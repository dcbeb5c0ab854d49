import type { WindowParams } from '../backends/backend';
import { checkPadding, checkShape, firstEmptyWindow, type Padding, resolveWindow, windowOutput } from '../shape';
import { fail, pair } from '../validate';
import { WeightlessLayer } from './weightless';

/** The window options MaxPool2D and AveragePooling2D share (Keras names). */
export interface Pool2DOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  poolSize?: number | [number, number];
  /** Defaults to poolSize. */
  strides?: number | [number, number];
  /** 'valid' (default), 'same' or [top, bottom, left, right]. */
  padding?: Padding;
  /** Spacing of the window taps (ONNX pooling's dilations); 1 by default. */
  dilationRate?: number | [number, number];
  /** Only 'channelsLast' (NHWC), the default: 'channelsFirst' is refused. */
  dataFormat?: 'channelsLast';
}

/** 'channelsLast' (or nothing); a clear refusal of channels-first data, which convkit never takes. */
export function checkDataFormat(layer: string, v: unknown): void {
  if (v === undefined || v === 'channelsLast' || v === 'channels_last') return;
  if (v === 'channelsFirst' || v === 'channels_first') {
    throw new RangeError(`${layer} takes channels-last (NHWC) data only: dataFormat '${v}' is not supported (transpose the input to NHWC)`);
  }
  fail(typeof v === 'string' ? 'range' : 'type', "'channelsLast'", 'dataFormat', v);
}

/** A sliding-window pool over NHWC input, per channel: [N, H, W, C] -> [N, outH, outW, C]. */
export abstract class Pool2D extends WeightlessLayer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];

  constructor(name: string, o: Record<string, unknown>) {
    super();
    this.nameFrom(o);
    checkDataFormat(name, o.dataFormat);
    this.poolSize = pair('poolSize', o.poolSize ?? 2);
    this.strides = pair('strides', o.strides ?? this.poolSize);
    this.padding = checkPadding('padding', o.padding ?? 'valid');
    this.dilationRate = pair('dilationRate', o.dilationRate ?? 1);
  }

  protected window(shape: readonly number[]): WindowParams {
    const name = this.input.name;
    const [n, h, w, c] = shape;
    const win = resolveWindow(this.poolSize, this.strides, this.dilationRate, this.padding, h, w);
    const [oh, ow] = windowOutput(name, win, h, w);
    // A window made only of padding would have no max (nor a cell to average).
    const row = firstEmptyWindow(h, win.kh, win.sh, win.dh, win.pt, oh);
    const col = firstEmptyWindow(w, win.kw, win.sw, win.dw, win.pl, ow);
    if (row >= 0 || col >= 0) {
      throw new RangeError(
        `Expected every ${name} window to cover at least one input cell but the window at output ${row >= 0 ? `row ${row}` : `column ${col}`} ` +
          `covers only padding (padding [${win.pt}, ${win.pb}, ${win.pl}, ${win.pr}], dilation ${win.dh}x${win.dw}, input ${h}x${w})`,
      );
    }
    return { n, h, w, c, ...win, oh, ow };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected ${this.input.name} input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    const p = this.window(shape);
    return [p.n, p.oh, p.ow, p.c];
  }
}
