// Model files on disk for the Node entry: a path (model.json or its directory) or a file: URL;
// http(s) URLs go to fetch. Weight files must lie in model.json's directory or below it.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '../validate';
import { MODEL_FILE, modelJSON, parseModelJSON, WEIGHTS_FILE } from './artifacts';
import { openURL } from './io-fetch';
import type { ModelFile, ModelIO } from './io';

function toPath(source: string | URL, name: string): string {
  if (source instanceof URL) return fileURLToPath(source);
  if (typeof source !== 'string' || source === '') throw new TypeError(`Expected path or URL for ${name} but received ${describe(source)}`);
  return /^file:/i.test(source) ? fileURLToPath(source) : source;
}

function arrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

async function openFile(source: string | URL): Promise<ModelFile> {
  let path = resolve(toPath(source, 'source'));
  if ((await stat(path)).isDirectory()) path = join(path, MODEL_FILE);
  const json = parseModelJSON(await readFile(path, 'utf8'), path);
  const dir = dirname(path);
  const inDir = (p: string): string => {
    const file = resolve(dir, p), rel = relative(dir, file);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new RangeError(`Expected weight files inside ${dir} but ${path} names '${p}'`);
    return file;
  };
  return { name: path, json, read: (paths) => Promise.all(paths.map(async (p) => arrayBuffer(await readFile(inDir(p))))) };
}

export const nodeIO: ModelIO = {
  open: (source) => (typeof source === 'string' && /^https?:/i.test(source)) || (source instanceof URL && /^https?:$/.test(source.protocol))
    ? openURL(new URL(source))
    : openFile(source),

  async write(directory, artifacts) {
    if (typeof directory === 'string' && /^https?:/i.test(directory)) throw new TypeError(`Expected a directory for path but received '${directory}' (save writes files; toArtifacts() gives what to upload)`);
    const dir = resolve(toPath(directory, 'path'));
    if (basename(dir).toLowerCase().endsWith('.json')) {
      throw new RangeError(`Expected a directory for path but received '${dir}' (save writes ${MODEL_FILE} and ${WEIGHTS_FILE} into it)`);
    }
    await mkdir(dir, { recursive: true });
    // The weights first: a model.json is never there without the weights it names.
    await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(artifacts.weightData));
    await writeFile(join(dir, MODEL_FILE), JSON.stringify(modelJSON(artifacts)));
  },
};
