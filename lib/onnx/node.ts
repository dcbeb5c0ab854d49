// ONNX files for the Node entry: a path or file: URL read from disk (external data beside it),
// an http(s) URL fetched, or bytes.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model } from '../models/functional';
import type { OnnxOptions } from './build';
import { bytesSource, loadOnnx, type OnnxSource } from './load';

async function sourceOf(source: string | URL | Uint8Array | ArrayBuffer): Promise<OnnxSource> {
  const given = bytesSource(source);
  if (given) return given;
  const url = source instanceof URL ? source : /^[a-z][a-z0-9+.-]*:\/\//i.test(source as string) ? new URL(source as string) : null;
  if (url && /^https?:$/.test(url.protocol)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Could not fetch ${url.href}: HTTP ${res.status}`);
    return { name: url.href, bytes: new Uint8Array(await res.arrayBuffer()), readExternal: async (loc) => new Uint8Array(await (await fetch(new URL(loc, url))).arrayBuffer()) };
  }
  const path = resolve(url ? fileURLToPath(url) : (source as string)), dir = dirname(path);
  const readExternal = async (location: string) => {
    const file = resolve(dir, location), rel = relative(dir, file);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new RangeError(`Expected external data inside ${dir} but the model names '${location}'`);
    return new Uint8Array(await readFile(file));
  };
  return { name: path, bytes: new Uint8Array(await readFile(path)), readExternal };
}

export async function loadOnnxModel(source: string | URL | Uint8Array | ArrayBuffer, opts?: OnnxOptions): Promise<Model> {
  return loadOnnx(await sourceOf(source), opts);
}
