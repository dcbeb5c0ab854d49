// Weight data in the tfjs layout: tensors back to back in weightSpecs order, float32
// little-endian, over one buffer or several shards read one after another (a tensor may straddle
// two shards). Quantized tensors are decoded to float32 (dequantize.ts). Decoding keeps each
// tensor by name; layers take theirs with `take`.
import { product } from '../shape';
import { describe } from '../validate';
import type { WeightSpec } from './artifacts';
import { dequantize, QUANTIZED_BYTES, quantizationRefusal } from './dequantize';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per element of the dtypes tfjs writes (string tensors have no fixed size). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, ...QUANTIZED_BYTES };

/** Concatenates shards (or returns the single buffer as is). */
export function concatBuffers(parts: readonly ArrayBuffer[]): ArrayBuffer {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}

interface Entry {
  spec: WeightSpec;
  values: Float32Array | null;
  /** Why values is null: a dtype convkit does not read. */
  refused: string;
  used: boolean;
}

function checkSpec(v: unknown, i: number): WeightSpec {
  const s = v as WeightSpec;
  const ok = typeof v === 'object' && v !== null && typeof s.name === 'string' && typeof s.dtype === 'string' &&
    Array.isArray(s.shape) && s.shape.every((d) => Number.isInteger(d) && d >= 0);
  if (!ok) throw new TypeError(`Expected { name, shape, dtype } for weightSpecs[${i}] but received ${describe(v)}`);
  return s;
}

/** Why convkit cannot read this tensor, or '' when it can (float32, or quantized float32). */
function refusal(s: WeightSpec): string {
  if (s.quantization) return quantizationRefusal(s.quantization, s.dtype) ?? '';
  if (s.dtype !== 'float32') return `has dtype '${s.dtype}' (convkit reads float32 weights)`;
  return '';
}

function readFloat32LE(bytes: Uint8Array, count: number): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice(0, count * 4).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The tensors of a model by name (a trailing ':0', as some converters write, dropped). */
export class WeightStore {
  private readonly entries = new Map<string, Entry>();

  constructor(specs: unknown, data: ArrayBuffer) {
    if (!Array.isArray(specs)) throw new TypeError(`Expected array for weightSpecs but received ${describe(specs)}`);
    const bytes = new Uint8Array(data);
    let at = 0;
    specs.forEach((v, i) => {
      const spec = checkSpec(v, i);
      const stored = spec.quantization?.dtype ?? spec.dtype, width = DTYPE_BYTES[stored];
      if (width === undefined) {
        // Without its width no later tensor can be found either.
        const what = spec.quantization ? `is quantized to '${stored}'` : `has dtype '${stored}'`;
        throw new RangeError(`Weight '${spec.name}' ${what}, which convkit cannot read (it reads float32 weights, or uint8, uint16 and float16 quantized ones)`);
      }
      const size = product(spec.shape) * width;
      if (at + size > bytes.byteLength) {
        throw new RangeError(`Expected weight data of at least ${at + size} bytes for weight '${spec.name}' (weightSpecs[${i}]) but received ${bytes.byteLength} bytes`);
      }
      const why = refusal(spec);
      const count = product(spec.shape), raw = bytes.subarray(at, at + size);
      const values = why ? null : spec.quantization ? dequantize(raw, count, spec.quantization) : readFloat32LE(raw, count);
      const key = spec.name.replace(/:\d+$/, '');
      if (this.entries.has(key)) throw new RangeError(`Expected each weight name once in weightSpecs but '${key}' comes again at weightSpecs[${i}]`);
      this.entries.set(key, { spec, values, refused: why, used: spec.group === 'optimizer' });
      at += size;
    });
  }

  /**
   * The tensor `layer/kind` (e.g. conv2d_1/kernel), of the expected shape; also found under a
   * prefix (model_name/conv2d_1/kernel) when that is the only match. `owner` names the layer in errors.
   */
  take(layer: string, kind: string, shape: number[], owner: string): Float32Array {
    const key = `${layer}/${kind}`, entry = this.find(key);
    if (!entry) throw new RangeError(`${owner}: its ${kind} '${key}' is not in the weights (they hold ${this.names()})`);
    entry.used = true;
    if (entry.values === null) throw new RangeError(`${owner}: weight '${entry.spec.name}' ${entry.refused}`);
    if (entry.spec.shape.join() !== shape.join()) {
      throw new RangeError(`${owner}: weight '${entry.spec.name}' has shape [${entry.spec.shape.join(', ')}] but the layer needs [${shape.join(', ')}]`);
    }
    return entry.values;
  }

  /** The shape of the tensor `layer/kind`, or null when there is none (take finds it alike). */
  shapeOf(layer: string, kind: string): number[] | null {
    return this.find(`${layer}/${kind}`)?.spec.shape ?? null;
  }

  private find(key: string): Entry | undefined {
    const found = this.entries.has(key) ? [key] : [...this.entries.keys()].filter((k) => k.endsWith(`/${key}`));
    return found.length === 1 ? this.entries.get(found[0]) : undefined;
  }

  /** Refuses weights that no layer took (tfjs refuses them too): a topology and weights that do not belong together. */
  checkAllUsed(): void {
    const unused = [...this.entries.values()].filter((e) => !e.used).map((e) => `'${e.spec.name}'`);
    if (unused.length) throw new RangeError(`Expected every weight to belong to a layer but ${unused.join(', ')} belong${unused.length === 1 ? 's' : ''} to none`);
  }

  private names(): string {
    const names = [...this.entries.keys()];
    return names.length ? names.map((n) => `'${n}'`).join(', ') : 'none';
  }
}

export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Specs and one little-endian buffer for tensors in order. */
export function encodeWeights(weights: readonly NamedWeight[]): { weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    out.set(w.values, at);
    at += w.values.length;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(out.buffer);
    for (let i = 0; i < total; i++) view.setFloat32(i * 4, out[i], true);
  }
  return { weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })), weightData: out.buffer };
}
