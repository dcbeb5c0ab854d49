// Keras-style model JSON for the model-format tests: topologies as Keras writes them
// (snake_case, class_name/config) and seeded weight data for their weight specs.
import type * as ck from '../../lib/index';
import { randomArray } from './random';

export interface Spec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
  group?: string;
}

export type KerasLayer = { class_name: string; config: Record<string, unknown> };

/** Seeded float32 data (uniform in [-1, 1)) for float32 specs; other dtypes get their byte size of zeros. */
export function weightDataFor(specs: Spec[], seed: number): ArrayBuffer {
  const width: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };
  const parts = specs.map((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'float32' && !s.quantization) return new Uint8Array(randomArray(n, seed + i).buffer);
    return new Uint8Array(n * width[s.quantization?.dtype ?? s.dtype]);
  });
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/** A Keras Sequential topology (Keras 2 as tensorflowjs_converter writes it: inside model_config). */
export function kerasTopology(layers: KerasLayer[]): Record<string, unknown> {
  return {
    keras_version: '2.15.0', backend: 'tensorflow',
    model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } },
  };
}

export function kerasArtifacts(topology: unknown, specs: Spec[], seed = 1): ck.ArtifactsInput {
  return { modelTopology: topology, weightSpecs: specs, weightData: weightDataFor(specs, seed), format: 'layers-model' };
}

/** Keras's usual config keys for a layer (name, trainable, dtype) around the given options. */
export function layer(className: string, name: string, options: Record<string, unknown>): KerasLayer {
  return { class_name: className, config: { name, trainable: true, dtype: 'float32', ...options } };
}

export const conv2dOptions = (filters: number, kernel: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  filters, kernel_size: [kernel, kernel], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1],
  groups: 1, activation: 'linear', use_bias: true,
  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
  ...extra,
});

export const denseOptions = (units: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  units, activation: 'linear', use_bias: true,
  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
  ...extra,
});

export const poolOptions = (size: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  pool_size: [size, size], padding: 'valid', strides: [size, size], data_format: 'channels_last', ...extra,
});
