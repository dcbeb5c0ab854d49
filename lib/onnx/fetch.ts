// ONNX files for the browser entry (convkit/onnx): a URL fetched (external data beside it), or bytes.
import type { Model } from '../models/functional';
import type { OnnxOptions } from './build';
import { bytesSource, loadOnnx } from './load';

export async function loadOnnxModel(source: string | URL | Uint8Array | ArrayBuffer, opts?: OnnxOptions): Promise<Model> {
  const given = bytesSource(source);
  if (given) return loadOnnx(given, opts);
  const url = new URL(source as string | URL, globalThis.location?.href);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not fetch ${url.href}: HTTP ${res.status}`);
  const readExternal = async (loc: string) => new Uint8Array(await (await fetch(new URL(loc, url))).arrayBuffer());
  return loadOnnx({ name: url.href, bytes: new Uint8Array(await res.arrayBuffer()), readExternal }, opts);
}
