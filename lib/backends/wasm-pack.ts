// The SIMD builds as the browser bundle embeds them: gzipped together in one file
// (scripts/build-wasm.mjs writes its layout), inflated with DecompressionStream.

/** Each build's bytes by name, from the inflated pack. */
export function unpackBuilds(pack: ArrayBuffer): Map<string, Uint8Array> {
  const view = new DataView(pack), builds: [string, number][] = [];
  let at = 4;
  for (let i = view.getUint32(0, true); i > 0; i--) {
    const nameBytes = view.getUint32(at, true);
    const name = new TextDecoder().decode(new Uint8Array(pack, at + 4, nameBytes));
    at += 4 + nameBytes;
    builds.push([name, view.getUint32(at, true)]);
    at += 4;
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, length] of builds) {
    if (at + length > pack.byteLength) throw new Error(`convkit: the embedded wasm build '${name}' is truncated (the bundle is damaged)`);
    out.set(name, new Uint8Array(pack, at, length));
    at += length;
  }
  return out;
}

/** The gzipped bytes inflated (DecompressionStream, which the caller has checked exists). */
export async function gunzip(gz: Uint8Array): Promise<ArrayBuffer> {
  return new Response(new Blob([gz as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}
