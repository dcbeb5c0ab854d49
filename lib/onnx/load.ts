// ck.loadModel for ONNX files: the bytes decoded (protobufjs, required on first use), tensors
// stored in other files read through the entry point's reader, the graph built into a Model.
import type { Model } from '../models/functional';
import { describe } from '../validate';
import { buildOnnxModel, checkOnnxOptions, type OnnxOptions } from './build';
import { decodeOnnx } from './decode';
import type { OnnxGraph, OnnxTensor } from './graph';

/** Where an ONNX file's bytes come from, and its external-data files (null: none can be read). */
export interface OnnxSource {
  name: string;
  bytes: Uint8Array;
  readExternal: ((location: string) => Promise<Uint8Array>) | null;
}

/** Bytes given in memory. */
export function bytesSource(source: unknown): OnnxSource | null {
  if (source instanceof Uint8Array) return { name: 'ONNX bytes', bytes: source, readExternal: null };
  if (source instanceof ArrayBuffer) return { name: 'ONNX bytes', bytes: new Uint8Array(source), readExternal: null };
  return null;
}

async function readExternal(t: OnnxTensor, src: OnnxSource): Promise<void> {
  const e = t.external!;
  if (!src.readExternal) throw new RangeError(`ONNX tensor '${t.name}' is stored in the external file '${e.location}', which cannot be read from ${src.name}: load the .onnx file by its path`);
  let file: Uint8Array;
  try {
    file = await src.readExternal(e.location);
  } catch (err) {
    throw new RangeError(`ONNX tensor '${t.name}' is stored in the external file '${e.location}', which is missing or unreadable beside ${src.name}: ${(err as Error).message}`);
  }
  const length = e.length ?? file.length - e.offset;
  if (e.offset + length > file.length) throw new RangeError(`ONNX tensor '${t.name}': its external file '${e.location}' has ${file.length} bytes, fewer than offset ${e.offset} + length ${length}`);
  if (t.type !== 'float32') throw new RangeError(`ONNX tensor '${t.name}' is ${t.type}: convkit computes in float32`);
  t.data = new Float32Array(file.slice(e.offset, e.offset + length).buffer);
  delete t.external;
}

async function withExternalData(g: OnnxGraph, src: OnnxSource): Promise<OnnxGraph> {
  for (const t of g.initializers) if (t.external) await readExternal(t, src);
  return g;
}

export async function loadOnnx(src: OnnxSource, opts?: OnnxOptions): Promise<Model> {
  checkOnnxOptions(opts);
  if (!(src.bytes instanceof Uint8Array)) throw new TypeError(`Expected bytes of an ONNX model but received ${describe(src.bytes)}`);
  return buildOnnxModel(await withExternalData(decodeOnnx(src.bytes), src), opts);
}
