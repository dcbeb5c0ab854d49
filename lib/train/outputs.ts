// A model's outputs as training sees them: each one's loss and weight (compile's loss and
// lossWeights, given once, per output in order, or by output name), whether its loss is taken
// from the logits (a softmax layer making it, read by nothing else, and a cross-entropy), and
// its labels (fit's y: one per output, in order or by name).
import { Layer } from '../layers/layer';
import type { FlatGraph } from '../layers/flat-types';
import { describe } from '../validate';
import type { LossName } from './losses';
import type { PerOutput } from './options';

export interface OutputLoss {
  loss: LossName;
  weight: number;
  /** The entry that makes the output, when its loss starts from its logits (softmax left out); else -1. */
  fusedEntry: number;
}

/** A plain object keyed by name (not a Tensor, a typed array or an array). */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The value of a per-output option for each output, in order; errors name the option. */
export function perOutputValues<T>(name: string, v: PerOutput<T>, outputs: readonly string[], fallback?: T): T[] {
  if (Array.isArray(v)) {
    if (v.length !== outputs.length) throw new RangeError(`Expected ${outputs.length} entries (one per output: ${outputs.map((o) => `'${o}'`).join(', ')}) for ${name} but received ${v.length}`);
    return v;
  }
  if (isRecord(v)) {
    const unknown = Object.keys(v).find((k) => !outputs.includes(k));
    if (unknown !== undefined) throw new RangeError(`Expected output names (${outputs.map((o) => `'${o}'`).join(', ')}) as the keys of ${name} but received key '${unknown}'`);
    return outputs.map((o) => {
      if (v[o] !== undefined) return v[o] as T;
      if (fallback !== undefined) return fallback;
      throw new RangeError(`Expected ${name} for output '${o}' but ${name} has none`);
    });
  }
  return outputs.map(() => v as T);
}

/** Each output's loss, weight and fusion, for compile's losses on this model. */
export function outputLosses(flat: FlatGraph, names: readonly string[], loss: PerOutput<LossName>, weights: PerOutput<number> | null): OutputLoss[] {
  const losses = perOutputValues('loss', loss, names), w = weights === null ? names.map(() => 1) : perOutputValues('lossWeights', weights, names, 1);
  const readers = new Array<number>(flat.values).fill(0);
  for (const e of flat.entries) for (const v of e.inputs) readers[v]++;
  return flat.outputs.map((v, k) => {
    const i = flat.entries.findIndex((e) => e.output === v), e = flat.entries[i];
    const softmax = e && e.layer instanceof Layer && e.layer.trainer()?.activation === 'softmax';
    const fused = softmax && losses[k] !== 'meanSquaredError' && readers[v] === 0 && flat.outputs.indexOf(v) === k && flat.outputs.lastIndexOf(v) === k;
    return { loss: losses[k], weight: w[k], fusedEntry: fused ? i : -1 };
  });
}

/** fit's y as one label value per output. */
export function labelsPerOutput(name: string, y: unknown, outputs: readonly string[]): unknown[] {
  if (outputs.length === 1) return [Array.isArray(y) && y.length === 1 ? y[0] : y];
  if (!Array.isArray(y) && !isRecord(y)) {
    throw new TypeError(`Expected one target per output (an array in output order, or an object by output name: ${outputs.map((o) => `'${o}'`).join(', ')}) for ${name} but received ${describe(y)}`);
  }
  return perOutputValues(name, y as PerOutput<unknown>, outputs);
}
