// Raw DEFLATE decoding (RFC 1951) for the wasm builds the browser bundle embeds compressed:
// small enough to ship (about 1 KB minified) and it runs in every engine, where
// DecompressionStream is missing from some that run WebAssembly. Huffman codes are decoded bit by
// bit from their canonical counts (RFC 1951 3.2.2): slow per symbol, but the four builds inflate
// in a few milliseconds, once per page.

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Code {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function codeOf(lengths: ArrayLike<number>): Code {
  const counts = new Uint16Array(16), offsets = new Uint16Array(16), symbols = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  for (let len = 1; len < 16; len++) offsets[len] = offsets[len - 1] + counts[len - 1];
  for (let i = 0; i < lengths.length; i++) if (lengths[i]) symbols[offsets[lengths[i]]++] = i;
  return { counts, symbols };
}

/** Base value and extra bits of each length (257..285) or distance code, from the RFC's rule. */
function bases(n: number, first: number, extraOf: (i: number) => number): [Uint16Array, Uint8Array] {
  const base = new Uint16Array(n), extra = new Uint8Array(n);
  for (let i = 0, b = first; i < n; i++) {
    base[i] = b;
    extra[i] = extraOf(i);
    b += 1 << extra[i];
  }
  return [base, extra];
}

const [LEN_BASE, LEN_EXTRA] = bases(29, 3, (i) => (i < 8 ? 0 : (i >> 2) - 1));
LEN_BASE[28] = 258; // code 285 is 258 with no extra bits, not the rule's next value
LEN_EXTRA[28] = 0;
const [DIST_BASE, DIST_EXTRA] = bases(30, 1, (i) => (i < 4 ? 0 : (i >> 1) - 1));
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** The bytes of a raw DEFLATE stream that inflates to `size` bytes. */
export function inflateRaw(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0, pos = 0, bitBuf = 0, bitCount = 0;
  const fail = (why: string): never => {
    throw new Error(`convkit: an embedded wasm build does not inflate (${why}): the bundle is damaged`);
  };
  const bits = (n: number): number => {
    while (bitCount < n) {
      if (pos >= src.length) fail('the stream ends early');
      bitBuf |= src[pos++] << bitCount;
      bitCount += 8;
    }
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  };
  const decode = (c: Code): number => {
    let code = 0, first = 0, index = 0;
    for (let len = 1; len < 16; len++) {
      if (!bitCount) {
        if (pos >= src.length) fail('the stream ends early');
        bitBuf = src[pos++];
        bitCount = 8;
      }
      code |= bitBuf & 1;
      bitBuf >>>= 1;
      bitCount--;
      const count = c.counts[len];
      if (code - first < count) return c.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return fail('an invalid Huffman code');
  };
  const fixedLit = codeOf(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
  const fixedDist = codeOf(new Array(30).fill(5));
  for (let last = 0; !last;) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitBuf = bitCount = 0; // a stored block starts on a byte
      const len = src[pos] | (src[pos + 1] << 8);
      if (pos + 4 + len > src.length || at + len > size) fail('a stored block runs past its end');
      out.set(src.subarray(pos + 4, pos + 4 + len), at);
      pos += 4 + len;
      at += len;
      continue;
    }
    let lit = fixedLit, dist = fixedDist;
    if (type === 2) {
      const nLit = bits(5) + 257, nDist = bits(5) + 1, nLen = bits(4) + 4;
      const lenLengths = new Uint8Array(19);
      for (let i = 0; i < nLen; i++) lenLengths[ORDER[i]] = bits(3);
      const lenCode = codeOf(lenLengths), lengths = new Uint8Array(nLit + nDist);
      for (let i = 0; i < nLit + nDist;) {
        const sym = decode(lenCode);
        if (sym < 16) lengths[i++] = sym;
        else {
          const [repeat, value] = sym === 16 ? [3 + bits(2), i ? lengths[i - 1] : fail('a repeat with nothing before it')] : [sym === 17 ? 3 + bits(3) : 11 + bits(7), 0];
          if (i + repeat > lengths.length) fail('code lengths run past their count');
          lengths.fill(value, i, i + repeat);
          i += repeat;
        }
      }
      lit = codeOf(lengths.subarray(0, nLit));
      dist = codeOf(lengths.subarray(nLit));
    } else if (type !== 1) fail('a reserved block type');
    for (let sym = decode(lit); sym !== 256; sym = decode(lit)) {
      if (sym < 256) {
        if (at >= size) fail('more bytes than expected');
        out[at++] = sym;
        continue;
      }
      const l = sym - 257;
      if (l >= 29) fail('an invalid length code');
      const len = LEN_BASE[l] + bits(LEN_EXTRA[l]), d = decode(dist); // the stream's order
      if (d >= 30) fail('an invalid distance code');
      const back = DIST_BASE[d] + bits(DIST_EXTRA[d]);
      if (back > at || at + len > size) fail('a copy outside the output');
      for (let i = 0; i < len; i++, at++) out[at] = out[at - back];
    }
  }
  if (at !== size) fail(`${at} bytes instead of ${size}`);
  return out;
}
