// Keras's PReLU in the model format: read from a layer config and its `alpha` weight (shape: the
// input's without the batch, each shared axis 1), and written back the same way.
import { PReLU, type PReLUInitializer } from '../layers/prelu';
import type { LayerConfig } from './keras-config';
import { type Dim, showShape } from '../models/layer-shapes';
import type { WeightStore } from './weights';

const INITIALIZERS: Record<string, PReLUInitializer> = { Zeros: 'zeros', zeros: 'zeros', Ones: 'ones', ones: 'ones' };

/** shared_axes: null, an integer or a list of integers (Keras's 1-based axes). */
function sharedAxesOf(cfg: LayerConfig): number[] {
  const v = cfg.get('shared_axes');
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((a) => Number.isInteger(a))) return cfg.invalid('shared_axes', v, 'null, an integer or a list of integers');
  return list as number[];
}

/** A PReLU layer over inputs of this shape (no batch), its alpha taken from the weights. */
export function readPReLU(cfg: LayerConfig, shape: readonly Dim[], weights: WeightStore): PReLU {
  for (const key of ['alpha_regularizer', 'alpha_constraint']) {
    const v = cfg.get(key);
    if (v !== undefined && v !== null) cfg.unsupported(key, v, 'null');
  }
  const init = cfg.get('alpha_initializer') as { class_name?: unknown } | string | undefined;
  const initName = typeof init === 'object' && init !== null ? init.class_name : init; // the weight sets alpha; the name is kept
  const sharedAxes = sharedAxesOf(cfg);
  let layer: PReLU;
  try {
    layer = new PReLU({ sharedAxes, alphaInitializer: INITIALIZERS[String(initName)] ?? 'zeros' });
  } catch (e) {
    return cfg.unsupported('shared_axes', sharedAxes, `a leading run of axes ([1], [1, 2], ...): ${(e as Error).message}`);
  }
  const alphaShape = shape.map((d, i) => (i < sharedAxes.length ? 1 : d));
  if (alphaShape.some((d) => d === null)) throw new RangeError(`${cfg.label}: its alpha needs known sizes along the axes it does not share, but its input shape is ${showShape(shape)}`);
  layer.setWeights({ alpha: weights.take(cfg.name, 'alpha', alphaShape as number[], cfg.label) });
  return layer;
}

/** The config and alpha of a PReLU over inputs of this shape (no batch; its alpha made from the shape when it has none yet). */
export function preluConfig(layer: PReLU, shape: readonly Dim[]): { config: Record<string, unknown>; alpha: Float32Array; alphaShape: number[] } {
  if (shape.some((d) => d === null)) throw new RangeError(`PReLU: needs a known input shape to save but its input shape is ${showShape(shape)}`);
  layer.outputShape([1, ...(shape as number[])]);
  const initializer = { class_name: layer.alphaInitializer === 'ones' ? 'Ones' : 'Zeros', config: {} };
  const config = { alpha_initializer: initializer, alpha_regularizer: null, alpha_constraint: null, shared_axes: layer.sharedAxes.length ? [...layer.sharedAxes] : null };
  return { config, alpha: layer.getWeights().alpha!, alphaShape: layer.alphaShape(shape as number[]) };
}
