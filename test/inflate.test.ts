// The browser bundle's DEFLATE decoder against zlib's encoder (the independent side): every block
// type zlib writes, lengths and distances at their limits, and the embedded builds themselves.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { inflateRaw } from '../lib/backends/inflate';
import { unpackBuilds } from '../lib/backends/wasm-pack';
import { WASM_BUILDS } from '../lib/generated/kernels';

function bytesOf(n: number, seed: number, alphabet: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) % alphabet;
  }
  return out;
}

function roundTrip(data: Uint8Array, options: { level?: number; strategy?: number }, label: string): void {
  const back = inflateRaw(deflateRawSync(data, options), data.length);
  expect(Buffer.compare(Buffer.from(back), Buffer.from(data)), label).to.equal(0);
}

describe('inflate (raw DEFLATE, RFC 1951)', () => {
  it('stored blocks (level 0, and incompressible data, which zlib stores), across the 64 KB block limit', () => {
    roundTrip(bytesOf(70000, 1, 256), { level: 0 }, 'level 0');
    roundTrip(bytesOf(3000, 2, 256), { level: 9 }, 'random bytes');
    roundTrip(new Uint8Array(0), { level: 0 }, 'empty');
  });

  it('fixed Huffman blocks', () => {
    for (const n of [1, 17, 300, 5000]) roundTrip(bytesOf(n, n, 7), { strategy: constants.Z_FIXED }, `fixed, ${n} bytes`);
  });

  it('dynamic Huffman blocks: small alphabets, long runs, the longest match and the farthest distance', () => {
    for (const alphabet of [2, 5, 40, 200]) roundTrip(bytesOf(100000, alphabet, alphabet), { level: 9 }, `alphabet ${alphabet}`);
    roundTrip(new Uint8Array(200000).fill(7), { level: 9 }, 'one byte repeated (matches of 258)');
    const far = bytesOf(40000, 9, 256);
    far.copyWithin(32768 + 1000, 1000, 1000 + 6000); // a match 32768 back
    roundTrip(far, { level: 9 }, 'a distance of 32 KB');
    roundTrip(new TextEncoder().encode('convkit '.repeat(5000) + 'NHWC'.repeat(3000)), { level: 6 }, 'text');
  });

  it('refuses damaged streams with an error, never a hang or a wrong length', () => {
    const data = bytesOf(5000, 3, 30), z = deflateRawSync(data);
    expect(() => inflateRaw(z.subarray(0, z.length >> 1), data.length)).to.throw(/does not inflate \(the stream ends early\)/);
    expect(() => inflateRaw(z, data.length - 1)).to.throw(/does not inflate/);
    expect(() => inflateRaw(z, data.length + 1)).to.throw(/5000 bytes instead of 5001/);
    expect(() => inflateRaw(Uint8Array.of(0b111), 1)).to.throw(/reserved block type/);
  });

  it('the embedded pack holds every wasm build, byte for byte', () => {
    const dir = join(__dirname, '..', 'dist', 'wasm');
    const builds = unpackBuilds(readFileSync(join(dir, 'convkit-builds.bin')));
    expect([...builds.keys()]).to.deep.equal(WASM_BUILDS.map((b) => b.name));
    for (const b of WASM_BUILDS) {
      expect(Buffer.compare(Buffer.from(builds.get(b.name)!), readFileSync(join(dir, `convkit-${b.name}.wasm`))), b.name).to.equal(0);
    }
  });
});
