// Quantized weights (tensorflowjs_converter --quantize_uint8 / _uint16 / _float16) decoded to
// float32 on load, as tfjs-core's decodeWeights does: uint8 and uint16 are q * scale + min,
// computed in double and rounded once; float16 is widened exactly. Saving writes float32.
import { describe } from '../validate';

/** What a weight spec's `quantization` holds. */
export interface Quantization {
  dtype: string;
  [key: string]: unknown;
}

/** Bytes per stored value of each quantization dtype convkit decodes. */
export const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Why a quantization cannot be decoded to float32 (null: it can). */
export function quantizationRefusal(q: Quantization, dtype: string): string | null {
  if (!(q.dtype in QUANTIZED_BYTES)) return `is quantized to '${String(q.dtype)}' (tfjs and convkit decode 'uint8', 'uint16' and 'float16')`;
  if (dtype !== 'float32') return `has dtype '${dtype}' (convkit reads float32 weights)`;
  if (q.dtype === 'float16') return null;
  for (const key of ['scale', 'min'] as const) {
    if (typeof q[key] !== 'number' || !Number.isFinite(q[key])) {
      return `is quantized to ${q.dtype} without a finite ${key} (expected number for quantization.${key} but received ${describe(q[key])})`;
    }
  }
  return null;
}

/** The float32 value of a float16 bit pattern (exact: every float16 is a float32). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1, exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** count values stored little-endian in bytes, decoded (the checks of quantizationRefusal passed). */
export function dequantize(bytes: Uint8Array, count: number, q: Quantization): Float32Array {
  const out = new Float32Array(count);
  if (q.dtype === 'uint8') {
    const scale = q.scale as number, min = q.min as number;
    for (let i = 0; i < count; i++) out[i] = bytes[i] * scale + min;
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  if (q.dtype === 'uint16') {
    const scale = q.scale as number, min = q.min as number;
    for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true) * scale + min;
  } else {
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
  }
  return out;
}
