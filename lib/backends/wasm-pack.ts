// The wasm builds as the browser bundle embeds them: all four in one file, deflated together
// (they differ in a few opcodes, so once the first is in deflate's window the others cost little:
// 7 KB for the four, against 15 KB for the three SIMD ones gzipped apart and the scalar one raw).
// scripts/build-wasm.mjs writes it: a little-endian u32 of the inflated size, then the raw
// DEFLATE stream of: a u32 count, per build a u32 name length, the name (UTF-8) and a u32 byte
// length, then the modules back to back.
import { inflateRaw } from './inflate';

/** Each build's bytes by name. */
export function unpackBuilds(file: Uint8Array): Map<string, Uint8Array> {
  const size = new DataView(file.buffer, file.byteOffset, 4).getUint32(0, true);
  const pack = inflateRaw(file.subarray(4), size), view = new DataView(pack.buffer);
  const builds: [string, number][] = [];
  let at = 4;
  for (let i = view.getUint32(0, true); i > 0; i--) {
    const nameBytes = view.getUint32(at, true);
    builds.push([new TextDecoder().decode(pack.subarray(at + 4, at + 4 + nameBytes)), view.getUint32(at + 4 + nameBytes, true)]);
    at += 8 + nameBytes;
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, length] of builds) {
    out.set(name, pack.subarray(at, at + length));
    at += length;
  }
  if (at !== size) throw new Error(`convkit: the embedded wasm builds take ${at} bytes of ${size} (the bundle is damaged)`);
  return out;
}
