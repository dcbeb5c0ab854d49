import { expect } from 'chai';
import * as ck from '../lib/index';
import { expectClose } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { randomArray } from './helpers/random';
import { gemmRef, type RefActivation } from '../suite/reference';

// The GEMM kernel directly, with ONNX Gemm options. Tolerance: expectClose with K = inner size.

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 97];
const KS = [1, 2, 7, 16, 255, 256, 257, 513];

forEachBackend('gemm against the float64 reference', () => {
  let seed = 100;
  for (const m of SIZES)
    for (const n of [1, 15, 16, 17, 33])
      for (const k of KS.filter((_, j) => (m + n + j) % 3 === 0)) {
        const transA = (m + k) % 2 === 1, transB = (n + k) % 2 === 0;
        const s = seed++;
        it(`m ${m}, n ${n}, k ${k}${transA ? ', transA' : ''}${transB ? ', transB' : ''}`, () => {
          const a = randomArray(m * k, s), b = randomArray(k * n, s + 7), c = randomArray(n, s + 11);
          const expected = gemmRef(a, b, m, n, k, { transA, transB, alpha: 0.75, beta: 1.5, c, cRows: 1, cCols: n });
          const A = new ck.Tensor(a, transA ? [k, m] : [m, k]), B = new ck.Tensor(b, transB ? [n, k] : [k, n]);
          forEachIsa((isa) =>
            forEachThreadCount((threads) => {
              const y = ck.gemm(A, B, { transA, transB, alpha: 0.75, beta: 1.5, c: new ck.Tensor(c, [n]) });
              expect(y.shape).to.deep.equal([m, n]);
              expectClose(y.data, expected, k, `[${isa}, ${threads} threads]`);
            }),
          );
        });
      }

  // Wide enough for a native task to pack its blocks of A (kernels.json packMinPanels: 8 panels
  // of 16) and pair its panels, around the M block (96 rows), K block (256) and tile edges.
  for (const [m, n, k] of [[1, 128, 300], [7, 129, 257], [8, 161, 1], [9, 128, 255], [97, 145, 256], [200, 130, 600], [13, 200, 40]]) {
    const transA = (m + k) % 2 === 1, s = seed++;
    it(`packed blocks of A: m ${m}, n ${n}, k ${k}${transA ? ', transA' : ''}`, () => {
      const a = randomArray(m * k, s), b = randomArray(k * n, s + 7), c = randomArray(n, s + 11);
      const expected = gemmRef(a, b, m, n, k, { transA, alpha: 0.5, beta: 2, c, cRows: 1, cCols: n, activation: 'relu' });
      const A = new ck.Tensor(a, transA ? [k, m] : [m, k]), B = new ck.Tensor(b, [k, n]);
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = ck.gemm(A, B, { transA, alpha: 0.5, beta: 2, c: new ck.Tensor(c, [n]), activation: 'relu' });
          expectClose(y.data, expected, k, `[${isa}, ${threads} threads]`);
        }),
      );
    });
  }

  // Few micro-tiles (row tiles x panels, under kernels.json splitKMaxTiles) with a long K: both
  // backends split K into chunks (splitKChunk) and sum them afterwards, with C, bias and the
  // clamp applied once. K past a multiple of the chunk or short of one; N in part of a panel,
  // in exactly half of one (wasm's 8-column path), across several; rows past wasm's 4-row tile
  // and native's 6 and 8; A transposed; every activation.
  const splits: [number, number, number, boolean, RefActivation][] = [
    [1, 20, 8193, false, 'relu'], [8, 33, 12000, false, 'relu'], [3, 7, 8192, true, 'relu'], [4, 24, 9000, false, 'linear'],
    [13, 16, 8200, true, 'sigmoid'], [2, 100, 12289, false, 'tanh'], [8, 32, 16384, true, 'softmax'],
  ];
  for (const [m, n, k, transA, activation] of splits) {
    const s = seed++;
    it(`split K: m ${m}, n ${n}, k ${k}${transA ? ', transA' : ''}, beta * C, ${activation}`, () => {
      const a = randomArray(m * k, s), b = randomArray(k * n, s + 7), c = randomArray(m * n, s + 11);
      const expected = gemmRef(a, b, m, n, k, { transA, alpha: 1.25, beta: -1, c, cRows: m, cCols: n, activation });
      const A = new ck.Tensor(a, transA ? [k, m] : [m, k]), B = new ck.Tensor(b, [k, n]);
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = ck.gemm(A, B, { transA, alpha: 1.25, beta: -1, c: new ck.Tensor(c, [m, n]), activation });
          expectClose(y.data, expected, k, `[${isa}, ${threads} threads]`);
        }),
      );
    });
  }

  const C_SHAPES: number[][] = [[], [1], [6], [1, 6], [5, 1], [5, 6]];
  for (const shape of C_SHAPES) {
    it(`broadcasts C of shape [${shape.join(', ')}] to [5, 6], with relu`, () => {
      const a = randomArray(5 * 4, 1), b = randomArray(4 * 6, 2);
      const size = shape.reduce((x, y) => x * y, 1);
      const c = randomArray(size, 3);
      const [cRows, cCols] = shape.length === 2 ? shape : [1, shape.length === 1 ? shape[0] : 1];
      const expected = gemmRef(a, b, 5, 6, 4, { beta: -0.5, c, cRows, cCols, activation: 'relu' });
      const y = ck.gemm(new ck.Tensor(a, [5, 4]), new ck.Tensor(b, [4, 6]), { beta: -0.5, c: new ck.Tensor(c, shape), activation: 'relu' });
      expectClose(y.data, expected, 4);
    });
  }

  it('gemmAsync gives the same result as gemm', async () => {
    const a = new ck.Tensor(randomArray(40 * 300, 5), [40, 300]), b = new ck.Tensor(randomArray(300 * 50, 6), [300, 50]);
    const sync = ck.gemm(a, b), async = await ck.gemmAsync(a, b);
    expect(Array.from(async.data)).to.deep.equal(Array.from(sync.data));
  });

  describe('the out option', () => {
    const m = 40, n = 50, k = 300;
    const a = new ck.Tensor(randomArray(m * k, 21), [m, k]), b = new ck.Tensor(randomArray(k * n, 22), [k, n]);
    const c = new ck.Tensor(randomArray(n, 23), [n]);
    const opts = { alpha: 0.5, beta: 2, c, activation: 'relu' as const };
    const expected = gemmRef(a.data, b.data, m, n, k, { alpha: 0.5, beta: 2, c: c.data, cRows: 1, cCols: n, activation: 'relu' });

    it('gemm writes the result into out and returns out, the bits of a new result', () => {
      forEachThreadCount((threads) => {
        const out = new ck.Tensor(new Float32Array(m * n).fill(NaN), [m, n]);
        const y = ck.gemm(a, b, { ...opts, out });
        expect(y).to.equal(out);
        expectClose(out.data, expected, k, `[${threads} threads]`);
        expect(Array.from(out.data)).to.deep.equal(Array.from(ck.gemm(a, b, opts).data));
      });
    });

    it('gemmAsync copies the result into out and resolves with out', async () => {
      const out = new ck.Tensor(new Float32Array(m * n).fill(NaN), [m, n]);
      const y = await ck.gemmAsync(a, b, { ...opts, out });
      expect(y).to.equal(out);
      expect(Array.from(out.data)).to.deep.equal(Array.from(ck.gemm(a, b, opts).data));
    });

    it('out into a view of a larger buffer leaves the rest of the buffer alone', () => {
      const buffer = new Float32Array(m * n + 8).fill(7);
      const out = new ck.Tensor(buffer.subarray(4, 4 + m * n), [m, n]);
      ck.gemm(a, b, { ...opts, out });
      expect([...buffer.subarray(0, 4), ...buffer.subarray(4 + m * n)]).to.deep.equal(new Array(8).fill(7));
      expectClose(out.data, expected, k);
    });

    it('refuses an out of another shape, not a Tensor, or sharing memory with an input', async () => {
      expect(() => ck.gemm(a, b, { out: new ck.Tensor(new Float32Array(m * n), [n, m]) })).to.throw(RangeError, /out of shape \[40, 50\] but received shape \[50, 40\]/);
      expect(() => ck.gemm(a, b, { out: new ck.Tensor(new Float32Array(m * n), [m * n]) })).to.throw(RangeError, /out of shape \[40, 50\]/);
      expect(() => ck.gemm(a, b, { out: new Float32Array(m * n) as unknown as ck.Tensor })).to.throw(TypeError, /Tensor for out/);
      const shared = new Float32Array(m * k + m * n);
      const a2 = new ck.Tensor(shared.subarray(0, m * k), [m, k]);
      // Overlapping a by one float, then sharing its buffer without overlap (allowed).
      expect(() => ck.gemm(a2, b, { out: new ck.Tensor(shared.subarray(m * k - 1, m * k - 1 + m * n), [m, n]) })).to.throw(RangeError, /share no memory with a/);
      expect(() => ck.gemm(a, b, { out: b as unknown as ck.Tensor })).to.throw(RangeError, /out of shape/);
      const square = new ck.Tensor(randomArray(n * n, 24), [n, n]);
      expect(() => ck.gemm(square, square, { out: square })).to.throw(RangeError, /share no memory with a/);
      expect(() => ck.gemm(a, b, { c: new ck.Tensor(new Float32Array(m * n), [m, n]), out: new ck.Tensor(shared.subarray(m * k), [m, n]) })).not.to.throw();
      const cm = new ck.Tensor(new Float32Array(m * n), [m, n]);
      expect(() => ck.gemm(a, b, { c: cm, out: cm })).to.throw(RangeError, /share no memory with c/);
      const rejected = await ck.gemmAsync(a, b, { out: cm, c: cm }).then(() => null, (e) => e);
      expect(rejected).to.be.instanceOf(RangeError);
      expect(String(rejected)).to.match(/share no memory with c/);
    });

    it('gemmAsync rejects when out is detached while it computes', async () => {
      const out = new ck.Tensor(new Float32Array(m * n), [m, n]);
      const pending = ck.gemmAsync(a, b, { out });
      structuredClone(out.data.buffer, { transfer: [out.data.buffer] });
      let error: unknown;
      await pending.catch((e) => (error = e));
      expect(error).to.be.instanceOf(RangeError);
      expect(String(error)).to.match(/detached/);
    });
  });
});
