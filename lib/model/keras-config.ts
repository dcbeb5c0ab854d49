// Reading a Keras topology as Keras (Python) and tfjs write it: snake_case keys (camelCase, as
// hand-written tfjs configs have them, is read too), a Sequential either bare or inside
// `model_config` (tensorflowjs_converter), its layers in `config.layers` (or `config` itself,
// Keras before 2.2.3). Every option read goes through LayerConfig, so that an error names the
// layer and the option, and an option nobody read is refused rather than ignored.
import { describe } from '../validate';
import { record } from './artifacts';
import type { Dim } from '../models/layer-shapes';

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A copy with every object key in snake_case (values untouched). */
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), snakeKeys(x)]));
}

/** A value as the messages show it: [2, 2], 'causal', 0.5. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v) || (typeof v === 'object' && v !== null)) return JSON.stringify(v).replace(/"/g, "'").replace(/,/g, ', ');
  return String(v);
}

/**
 * Options that never change what a layer computes in inference (initialisers, regularisers,
 * constraints, names), or that the reader handles for the whole model (input shape, dtype).
 */
const INERT = new Set([
  'name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'batch_size', 'input_shape', 'input_dim', 'kernel_initializer',
  'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint',
  'depthwise_initializer', 'depthwise_regularizer', 'depthwise_constraint',
  'pointwise_initializer', 'pointwise_regularizer', 'pointwise_constraint',
]);

/** One layer's config: typed reads whose errors name the layer and the option. */
export class LayerConfig {
  readonly label: string;
  private readonly read = new Set<string>();

  constructor(readonly className: string, readonly name: string, private readonly config: Record<string, unknown>) {
    this.label = `${className} layer '${name}'`;
  }

  /** The raw value (undefined when absent), marked as read. */
  get(key: string): unknown {
    this.read.add(key);
    return this.config[key];
  }

  unsupported(key: string, value: unknown, supported: string): never {
    throw new RangeError(`${this.label}: ${key} ${show(value)} is not supported (convkit supports ${supported})`);
  }

  invalid(key: string, value: unknown, expected: string): never {
    throw new TypeError(`${this.label}: expected ${expected} for ${key} but received ${describe(value)}`);
  }

  /** A positive integer, or `fallback` when absent or null. */
  integer(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return this.invalid(key, v, 'positive integer');
    return v;
  }

  /** An integer or [h, w] of positive integers (Keras writes tuples as arrays), or `fallback`. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.get(key) ?? fallback;
    const hw = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(hw) || hw.length !== 2 || !hw.every((d) => Number.isInteger(d) && d >= 1)) {
      return this.invalid(key, v, 'positive integer or [h, w] array');
    }
    return [hw[0], hw[1]];
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'boolean') return this.invalid(key, v, 'boolean');
    return v;
  }

  /** A string among `supported` (or `fallback` when absent or null); others are unsupported. */
  choice<T extends string>(key: string, supported: readonly T[], fallback?: T): T {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'string') return this.invalid(key, v, 'string');
    if (!supported.includes(v as T)) this.unsupported(key, v, supported.map(show).join(', '));
    return v as T;
  }

  /** Refuses an option with this value unless it equals `supported` (compared as JSON). */
  only(key: string, supported: unknown, absentOk = true): void {
    const v = this.get(key);
    if ((v === undefined || v === null) && absentOk) return;
    if (JSON.stringify(v) !== JSON.stringify(supported)) this.unsupported(key, v, show(supported));
  }

  /**
   * Refuses any option that was not read and is not inert, unless it is null or false (off): an
   * option convkit does not know could change the result.
   */
  checkNoOthers(): void {
    for (const [key, v] of Object.entries(this.config)) {
      if (this.read.has(key) || INERT.has(key) || v === null || v === false) continue;
      throw new RangeError(`${this.label}: option ${key} ${show(v)} is not supported`);
    }
  }
}

export interface KerasSequential {
  layers: LayerConfig[];
  /** config.build_input_shape (Keras 3 writes the input shape there when there is no InputLayer). */
  buildInputShape: unknown;
}

/** A topology's model (its class_name and config), snake_cased, out of `model_config` when tensorflowjs_converter put it there. */
export function kerasModel(topology: unknown): { className: unknown; config: unknown } {
  let t = record('modelTopology', snakeKeys(topology), 'Keras model topology object');
  if (t.model_config !== undefined) t = record('modelTopology.model_config', t.model_config, 'Keras model config object');
  return { className: t.class_name, config: t.config };
}

/** A layer entry of a model's `layers` (class_name, config, and a functional model's name and inbound_nodes) as its LayerConfig. */
export function layerConfig(l: unknown, where: string): LayerConfig {
  const layer = record(where, l, 'object with class_name and config');
  if (typeof layer.class_name !== 'string') throw new TypeError(`Expected string for ${where}.class_name but received ${describe(layer.class_name)}`);
  const c = record(`${where}.config`, layer.config ?? {}, 'object');
  const name = typeof c.name === 'string' ? c.name : typeof layer.name === 'string' ? layer.name : where;
  return new LayerConfig(layer.class_name, name, c);
}

/** The layers of a Sequential's config, in order (`config.layers`, or `config` itself before Keras 2.2.3). */
export function sequentialConfig(config: unknown, where: string): KerasSequential {
  const c = Array.isArray(config) ? { layers: config } : record(where, config, 'object with layers');
  if (!Array.isArray(c.layers)) throw new TypeError(`Expected array for ${where}.layers but received ${describe(c.layers)}`);
  return { layers: c.layers.map((l: unknown, i: number) => layerConfig(l, `layers[${i}]`)), buildInputShape: c.build_input_shape };
}

/** The input shape without the batch dimension: sizes or null (unknown), from `key` of cfg. */
export function dims(cfg: LayerConfig, key: string, v: unknown, batch: boolean): Dim[] {
  const ok = Array.isArray(v) && v.length >= (batch ? 2 : 1) && v.every((d) => d === null || (Number.isInteger(d) && d >= 1));
  if (!ok) cfg.invalid(key, v, `array of positive integers or nulls${batch ? ' (batch first)' : ''}`);
  return (v as Dim[]).slice(batch ? 1 : 0);
}

/** The input shape a first layer declares (batch_input_shape, Keras 3's batch_shape, input_shape or input_dim), or null. */
export function declaredShape(cfg: LayerConfig): Dim[] | null {
  for (const key of ['batch_input_shape', 'batch_shape', 'input_shape']) {
    const v = cfg.get(key);
    if (v !== undefined && v !== null) return dims(cfg, key, v, key !== 'input_shape');
  }
  const dim = cfg.get('input_dim');
  return dim === undefined || dim === null ? null : [cfg.integer('input_dim')];
}

export function checkDtype(cfg: LayerConfig): void {
  const v = cfg.get('dtype');
  // Keras 3 writes a DTypePolicy object: { class_name: 'DTypePolicy', config: { name: 'float32' } }.
  const name = typeof v === 'object' && v !== null ? (v as { config?: { name?: unknown } }).config?.name : v;
  if (name !== undefined && name !== null && name !== 'float32') cfg.unsupported('dtype', v, "'float32'");
}
