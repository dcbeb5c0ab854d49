import { Activation, type ActivationCode, type ActivationName, type ActivationOption, canonicalActivation } from '../activation';
import { checkPadding, type Padding } from '../shape';
import { boolean, integer, options, pair } from '../validate';

/** The options of every convolution layer (Keras's names). */
export interface ConvLayerOptions {
  /** The layer's name (default: its class in snake_case and a count, as Keras names layers). */
  name?: string;
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  activation?: ActivationOption;
  useBias?: boolean;
  bias?: Float32Array;
  /** Seed of the He-uniform initialisation used when no kernel is given (default 0). */
  seed?: number;
}

/** The options every convolution layer reads alike, validated. */
export interface ConvCommon {
  o: Record<string, unknown>;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: Padding;
  activation: ActivationName;
  code: ActivationCode;
  useBias: boolean;
  seed: number;
}

export function convOptions(layer: string, opts: unknown): ConvCommon {
  const o = options(`${layer} options`, opts, false);
  const activation = canonicalActivation('activation', o.activation ?? 'linear');
  return {
    o, filters: integer('filters', o.filters), kernelSize: pair('kernelSize', o.kernelSize), strides: pair('strides', o.strides ?? 1),
    padding: checkPadding('padding', o.padding ?? 'valid'), activation, code: Activation[activation],
    useBias: boolean('useBias', o.useBias ?? true), seed: integer('seed', o.seed ?? 0, 0),
  };
}
