// A Keras Sequential topology and its weights -> convkit layers. Inference only: Dropout is the
// identity and is left out; a standalone Activation or ReLU becomes the activation of the
// Conv2D or Dense right before it (when that one is linear); ZeroPadding2D becomes the explicit
// padding of the Conv2D after it. Anything convkit would compute differently is refused, naming
// the layer and the option.
import { type ActivationName, activationNames } from '../activation';
import { Conv2D } from '../layers/conv2d';
import { Dense } from '../layers/dense';
import { Flatten } from '../layers/flatten';
import type { Layer } from '../layers/layer';
import { MaxPool2D } from '../layers/maxpool2d';
import { Sequential } from '../layers/sequential';
import type { Padding } from '../shape';
import { type KerasSequential, type LayerConfig, show } from './keras-config';
import { type Dim, nextShape, showShape } from './shapes';
import type { WeightStore } from './weights';

const SUPPORTED_LAYERS = 'InputLayer, Conv2D, MaxPooling2D, Dense, Flatten, Dropout, Activation, ReLU, ZeroPadding2D';

/** A layer built so far; Conv2D and Dense can take a following Activation. */
interface Built {
  layer: Layer;
  label: string;
  activation?: ActivationName;
  withActivation?: (a: ActivationName) => Layer;
}

/** The input shape without the batch dimension: sizes or null (unknown), from `key` of cfg. */
function dims(cfg: LayerConfig, key: string, v: unknown, batch: boolean): Dim[] {
  const ok = Array.isArray(v) && v.length >= (batch ? 2 : 1) && v.every((d) => d === null || (Number.isInteger(d) && d >= 1));
  if (!ok) cfg.invalid(key, v, `array of positive integers or nulls${batch ? ' (batch first)' : ''}`);
  return (v as Dim[]).slice(batch ? 1 : 0);
}

/** The input shape a first layer declares (batch_input_shape, Keras 3's batch_shape, input_shape or input_dim), or null. */
function declaredShape(cfg: LayerConfig): Dim[] | null {
  for (const key of ['batch_input_shape', 'batch_shape', 'input_shape']) {
    const v = cfg.get(key);
    if (v !== undefined && v !== null) return dims(cfg, key, v, key !== 'input_shape');
  }
  const dim = cfg.get('input_dim');
  return dim === undefined || dim === null ? null : [cfg.integer('input_dim')];
}

function checkDtype(cfg: LayerConfig): void {
  const v = cfg.get('dtype');
  // Keras 3 writes a DTypePolicy object: { class_name: 'DTypePolicy', config: { name: 'float32' } }.
  const name = typeof v === 'object' && v !== null ? (v as { config?: { name?: unknown } }).config?.name : v;
  if (name !== undefined && name !== null && name !== 'float32') cfg.unsupported('dtype', v, "'float32'");
}

/** The activation option (required unless `fallback` is given), among convkit's activations. */
function activationOf(cfg: LayerConfig, fallback?: ActivationName): ActivationName {
  // The list is read at run time: it grows as convkit gains activations.
  return cfg.choice('activation', activationNames, fallback);
}

/** ZeroPadding2D's padding: p, [h, w] or [[top, bottom], [left, right]] -> [top, bottom, left, right]. */
function zeroPadding(cfg: LayerConfig): [number, number, number, number] {
  const v = cfg.get('padding') ?? 1;
  const pads = typeof v === 'number' ? [v, v, v, v]
    : Array.isArray(v) && v.length === 2 && v.every((p) => typeof p === 'number') ? [v[0], v[0], v[1], v[1]]
    : Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2) ? [...v[0], ...v[1]]
    : null;
  if (!pads || !pads.every((p) => Number.isInteger(p) && p >= 0)) return cfg.invalid('padding', v, 'p, [h, w] or [[top, bottom], [left, right]] of non-negative integers');
  return pads as [number, number, number, number];
}

function channelsLast(cfg: LayerConfig): void {
  cfg.choice('data_format', ['channels_last'], 'channels_last');
}

class Reader {
  readonly built: Built[] = [];
  /** Pads of ZeroPadding2D layers waiting for their Conv2D, and the first such layer's label. */
  private pads: { pads: number[]; label: string } | null = null;

  constructor(private shape: Dim[], private readonly weights: WeightStore) {}

  private add(b: Built): void {
    this.shape = nextShape(b.layer, this.shape, b.label);
    this.built.push(b);
  }

  private rank(cfg: LayerConfig, rank: number, what: string): void {
    if (this.shape.length !== rank) {
      throw new RangeError(`${cfg.label}: expects ${what} but its input shape is ${showShape(this.shape)}`);
    }
  }

  private noPendingPads(cfg: LayerConfig): void {
    if (this.pads) throw new RangeError(`${this.pads.label}: convkit folds zero padding into the Conv2D right after it (with padding 'valid'), not into ${cfg.label}`);
  }

  private bias(cfg: LayerConfig, useBias: boolean, units: number): { bias?: Float32Array } {
    return useBias ? { bias: this.weights.take(cfg.name, 'bias', [units], cfg.label) } : {};
  }

  conv2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const filters = cfg.integer('filters');
    const kernelSize = cfg.pair('kernel_size');
    const strides = cfg.pair('strides', [1, 1]);
    const dilationRate = cfg.pair('dilation_rate', [1, 1]);
    let padding: Padding = cfg.choice('padding', ['valid', 'same'] as const, 'valid');
    channelsLast(cfg);
    cfg.only('groups', 1);
    const activation = activationOf(cfg, 'linear');
    const useBias = cfg.boolean('use_bias', true);
    if (this.pads) {
      if (padding === 'same') throw new RangeError(`${this.pads.label}: convkit folds zero padding into a Conv2D with padding 'valid', but ${cfg.label} has padding 'same'`);
      padding = this.pads.pads as Padding;
      this.pads = null;
    }
    const channels = this.shape[2];
    if (channels === null) throw new RangeError(`${cfg.label}: its input has an unknown number of channels`);
    const kernel = this.weights.take(cfg.name, 'kernel', [...kernelSize, channels, filters], cfg.label);
    const options = { filters, kernelSize, strides, dilationRate, padding, useBias, kernel, ...this.bias(cfg, useBias, filters) };
    const make = (a: ActivationName) => new Conv2D({ ...options, activation: a });
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  maxPooling2d(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    const poolSize = cfg.pair('pool_size', [2, 2]);
    const layer = new MaxPool2D({ poolSize, strides: cfg.pair('strides', poolSize), padding: cfg.choice('padding', ['valid', 'same'] as const, 'valid') });
    channelsLast(cfg);
    this.add({ layer, label: cfg.label });
  }

  dense(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    if (this.shape.length > 1) {
      throw new RangeError(`${cfg.label}: its input has shape ${showShape(this.shape)}; Keras applies Dense to the last axis there, ` +
        "while convkit's Dense flattens its input first (put a Flatten layer before it)");
    }
    const units = cfg.integer('units');
    const activation = activationOf(cfg, 'linear');
    const useBias = cfg.boolean('use_bias', true);
    const features = this.shape[0];
    if (features === null) throw new RangeError(`${cfg.label}: its input has an unknown number of features`);
    const options = { units, useBias, kernel: this.weights.take(cfg.name, 'kernel', [features, units], cfg.label), ...this.bias(cfg, useBias, units) };
    const make = (a: ActivationName) => new Dense({ ...options, activation: a });
    this.add({ layer: make(activation), label: cfg.label, activation, withActivation: make });
  }

  flatten(cfg: LayerConfig): void {
    this.noPendingPads(cfg);
    channelsLast(cfg);
    this.add({ layer: new Flatten(), label: cfg.label });
  }

  zeroPadding2d(cfg: LayerConfig): void {
    this.rank(cfg, 3, 'height, width and channels');
    const p = zeroPadding(cfg);
    channelsLast(cfg);
    // The shape stays the unpadded one: the Conv2D that takes these pads pads its input itself.
    this.pads = { pads: this.pads ? this.pads.pads.map((q, i) => q + p[i]) : p, label: this.pads?.label ?? cfg.label };
  }

  /** An Activation (or ReLU) layer: folded into the Conv2D or Dense right before it. */
  activation(cfg: LayerConfig, a: ActivationName): void {
    if (a === 'linear') return;
    const prev = this.built[this.built.length - 1];
    if (!prev?.withActivation || this.pads) {
      const after = this.pads ? this.pads.label : prev ? prev.label : 'the input';
      throw new RangeError(`${cfg.label}: activation ${show(a)} follows ${after}; convkit applies an activation only inside the Conv2D or Dense right before it`);
    }
    if (prev.activation === 'linear') {
      this.built[this.built.length - 1] = { ...prev, layer: prev.withActivation(a), activation: a };
    } else if (!(prev.activation === a && a === 'relu')) { // relu(relu(x)) is relu(x); nothing else repeats
      throw new RangeError(`${cfg.label}: activation ${show(a)} follows ${prev.label}, whose activation is already ${show(prev.activation)} (convkit applies one activation per layer)`);
    }
  }

  finish(): Layer[] {
    if (this.pads) throw new RangeError(`${this.pads.label}: convkit folds zero padding into a Conv2D after it, and none follows`);
    if (!this.built.length) throw new RangeError('Expected at least one Conv2D, MaxPooling2D, Dense or Flatten layer but the model has none');
    this.weights.checkAllUsed();
    return this.built.map((b) => b.layer);
  }
}

function readLayer(r: Reader, cfg: LayerConfig, first: boolean): void {
  switch (cfg.className) {
    case 'InputLayer':
      if (!first) throw new RangeError(`${cfg.label}: an InputLayer must come first`);
      cfg.only('sparse', false);
      cfg.only('ragged', false);
      return;
    case 'Dropout':
      cfg.get('rate'); cfg.get('noise_shape'); cfg.get('seed'); // identity in inference
      return;
    case 'Activation':
      return r.activation(cfg, activationOf(cfg));
    case 'ReLU':
      cfg.only('max_value', null);
      cfg.only('negative_slope', 0);
      cfg.only('threshold', 0);
      return r.activation(cfg, 'relu');
    case 'Conv2D':
      return r.conv2d(cfg);
    case 'MaxPooling2D':
    case 'MaxPool2D':
      return r.maxPooling2d(cfg);
    case 'Dense':
      return r.dense(cfg);
    case 'Flatten':
      return r.flatten(cfg);
    case 'ZeroPadding2D':
      return r.zeroPadding2d(cfg);
    default:
      throw new TypeError(`${cfg.label}: layer type ${show(cfg.className)} is not supported (convkit loads ${SUPPORTED_LAYERS})`);
  }
}

/** The layers of a Keras Sequential, with their weights, and the input shape it declares (no batch dimension). */
export function readSequential(k: KerasSequential, weights: WeightStore): { model: Sequential; inputShape: Dim[] } {
  const first = k.layers[0];
  const inputShape = (first && declaredShape(first)) ??
    (k.buildInputShape !== undefined && k.buildInputShape !== null && first ? dims(first, 'build_input_shape', k.buildInputShape, true) : null);
  if (!inputShape) {
    throw new RangeError('Expected the model to declare its input shape (batch_input_shape on its first layer, or an InputLayer) but it declares none');
  }
  const r = new Reader([...inputShape], weights);
  k.layers.forEach((cfg, i) => {
    checkDtype(cfg);
    readLayer(r, cfg, i === 0);
    cfg.checkNoOthers();
  });
  return { model: new Sequential(r.finish()), inputShape };
}
