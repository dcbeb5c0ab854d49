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
});
