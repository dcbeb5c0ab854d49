// Deterministic weight initialisation: the same seed gives the same weights on every backend.

/** mulberry32: a small, fast 32-bit PRNG; good enough for initial weights. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** He-uniform (Keras he_uniform): U(-limit, limit) with limit = sqrt(6 / fanIn). */
export function heUniform(length: number, fanIn: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const limit = Math.sqrt(6 / fanIn);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}
