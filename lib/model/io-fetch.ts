// Model files over HTTP(S) with fetch: browsers, and URLs given in Node. Weight files are
// fetched relative to model.json, as tfjs does.
import type { ModelFile, ModelIO } from './io';
import { MODEL_FILE, parseModelJSON } from './artifacts';

async function fetchOk(url: URL): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not fetch ${url.href}: ${res.status} ${res.statusText}`);
  return res;
}

/** Opens model.json at `url` (a URL ending in '/' is its directory). */
export async function openURL(url: URL): Promise<ModelFile> {
  const at = url.pathname.endsWith('/') ? new URL(MODEL_FILE, url) : url;
  const json = parseModelJSON(await (await fetchOk(at)).text(), at.href);
  return {
    name: at.href, json,
    read: (paths) => Promise.all(paths.map(async (p) => (await fetchOk(new URL(p, at))).arrayBuffer())),
  };
}

/** A relative URL is taken relative to the page (document.baseURI). */
export function resolveURL(source: string | URL): URL {
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
  try {
    return new URL(source, base);
  } catch {
    throw new TypeError(`Expected an absolute URL or one relative to the page for source but received '${String(source)}'`);
  }
}

export const fetchIO: ModelIO = {
  open: (source) => openURL(resolveURL(source)),
  write: () => Promise.reject(new Error(
    'Sequential.save writes files and needs Node; in a browser, model.toArtifacts() gives the model.json contents and weights (for tf.io.fromMemory or an upload)',
  )),
};
