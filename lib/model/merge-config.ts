// The Keras merge layers (Add, Subtract, Multiply, Maximum, Minimum, Average, Concatenate) as a
// topology names them: read from a layer's config and written back, with the Keras class names
// and keys (Concatenate's `axis`). Each takes several inputs, so only a functional model holds
// them; its reader and writer use these.
import { Concatenate } from '../layers/concatenate';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from '../layers/merge';
import type { MultiInputLayer } from '../layers/multi-input';
import type { LayerConfig } from './keras-config';

const ELEMENTWISE = { Add, Subtract, Multiply, Maximum, Minimum, Average } as const;

/** The Keras class names of the merge layers. */
export const MERGE_CLASS_NAMES: readonly string[] = [...Object.keys(ELEMENTWISE), 'Concatenate'];

/** The convkit layer of a merge layer's config (every option read and checked), or null for another class. */
export function readMergeLayer(cfg: LayerConfig): MultiInputLayer | null {
  if (cfg.className === 'Concatenate') {
    const axis = cfg.get('axis') ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) cfg.invalid('axis', axis, 'integer');
    cfg.checkNoOthers();
    return new Concatenate({ axis: axis as number });
  }
  const make = ELEMENTWISE[cfg.className as keyof typeof ELEMENTWISE];
  if (!make) return null;
  cfg.checkNoOthers();
  return new make();
}

/** The Keras class name and config of a merge layer, under `name`. */
export function mergeLayerConfig(layer: MultiInputLayer, name: string): { class_name: string; config: Record<string, unknown> } {
  const config: Record<string, unknown> = { name, trainable: true, dtype: 'float32' };
  if (layer instanceof Concatenate) return { class_name: 'Concatenate', config: { ...config, axis: layer.axis } };
  const entry = Object.entries(ELEMENTWISE).find(([, c]) => layer instanceof c);
  if (!entry) throw new TypeError(`Expected a merge layer but received ${layer.constructor.name}`);
  return { class_name: entry[0], config };
}
