import { expect } from 'chai';
import * as ck from '../lib/index';
import { product } from '../lib/shape';
import { expectClose } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { ACTIVATIONS } from './helpers/configs';
import { randomArray } from './helpers/random';
import { denseRef, type RefActivation } from '../suite/reference';

// Tolerance: see expectClose, gamma_K = 2(K + 2)u with K = input features.

const CASES: Array<{ shape: number[]; units: number; bias: boolean; activation: RefActivation }> = [];
for (const m of [1, 2, 3, 5, 7, 8, 9])
  for (const k of [1, 3, 16, 17, 70, 255, 256, 257, 600])
    for (const units of [1, 5, 16, 17, 33, 70]) CASES.push({ shape: [m, k], units, bias: (m + k + units) % 2 === 0, activation: ACTIVATIONS[(m * k + units) % 5] });
// Flattening of images in NHWC order, and rows past MC (96) and thread splits.
CASES.push({ shape: [3, 4, 5, 6], units: 10, bias: true, activation: 'relu' });
CASES.push({ shape: [2, 1, 1, 9], units: 31, bias: false, activation: 'softmax' });
CASES.push({ shape: [130, 40], units: 48, bias: true, activation: 'sigmoid' });
CASES.push({ shape: [300, 70], units: 20, bias: true, activation: 'softmax' });
CASES.push({ shape: [1, 3000], units: 200, bias: true, activation: 'relu' });
CASES.push({ shape: [2, 3000], units: 100, bias: true, activation: 'tanh' });
// A long K over few micro-tiles, which both backends split into chunks of 4096 (kernels.json
// splitKChunk, splitKMaxTiles): D1 itself (8 rows are two of wasm's 4-row tiles), K past a
// multiple of the chunk, N in part of a panel or half of one, rows past every tile height, each
// activation; and K one short of two chunks, which does not split.
CASES.push({ shape: [8, 24576], units: 32, bias: true, activation: 'relu' });
CASES.push({ shape: [5, 8193], units: 20, bias: true, activation: 'linear' });
CASES.push({ shape: [4, 12000], units: 24, bias: true, activation: 'sigmoid' });
CASES.push({ shape: [1, 9000], units: 7, bias: false, activation: 'tanh' });
CASES.push({ shape: [13, 8, 32, 32], units: 16, bias: true, activation: 'softmax' });
CASES.push({ shape: [2, 16385], units: 100, bias: true, activation: 'relu' });
CASES.push({ shape: [8, 8191], units: 32, bias: true, activation: 'relu' });
CASES.push({ shape: [1, 16400], units: 64, bias: true, activation: 'relu' }); // one row, two weight streams per call, K split

forEachBackend('Dense against the float64 reference', () => {
  CASES.forEach((cs, i) => {
    const k = product(cs.shape.slice(1));
    it(`[${cs.shape.join(', ')}] -> ${cs.units}${cs.bias ? ', bias' : ''}, ${cs.activation}`, () => {
      const m = cs.shape[0];
      const x = randomArray(m * k, 3000 + i), kernel = randomArray(k * cs.units, 4000 + i);
      const bias = cs.bias ? randomArray(cs.units, 5000 + i) : null;
      const expected = denseRef(x, m, k, kernel, cs.units, bias, cs.activation);
      const layer = new ck.Dense({ units: cs.units, kernel, activation: cs.activation, useBias: cs.bias, ...(bias ? { bias } : {}) });
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = layer.forward(new ck.Tensor(x, cs.shape));
          expect(y.shape).to.deep.equal([m, cs.units]);
          expectClose(y.data, expected, k, `[${isa}, ${threads} threads]`);
        }),
      );
    });
  });
});
