// UpSampling2D (nearest and Keras's bilinear) against the float64 oracle
// (test/helpers/resample-reference.ts) on every backend, ISA and thread count; 1 and 2 threads
// give the same bits; forwardAsync equals forward; dx against the oracle and finite differences.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { CHANNELS } from './helpers/configs';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { upsampleGradRef, upsampleRef } from '../suite/reference-resample';

interface Case { shape: number[]; size: [number, number]; interpolation: ck.Interpolation }

function cases(count: number, seed: number): Case[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => ({
    shape: [randomInt(r, 1, 3), randomInt(r, 1, 9), randomInt(r, 1, 9), pick(r, CHANNELS)],
    size: [randomInt(r, 1, 4), randomInt(r, 1, 4)] as [number, number],
    interpolation: pick(r, ['nearest', 'bilinear'] as const),
  }));
}

const label = (t: Case) => `${t.shape.join('x')} x ${t.size.join('x')} ${t.interpolation}`;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function check(t: Case, seed: number): void {
  const x = randomArray(size(t.shape), seed), input = new ck.Tensor(x, t.shape);
  const layer = new ck.UpSampling2D({ size: t.size, interpolation: t.interpolation });
  const expected = upsampleRef(x, t.shape, t.size, t.interpolation === 'bilinear');
  forEachIsa((isa) => {
    let first: Float32Array | null = null;
    forEachThreadCount((threads) => {
      const y = layer.forward(input);
      expect(y.shape).to.deep.equal(expected.shape);
      // Nearest copies (exact); bilinear: see upsampleRef's absSum.
      if (t.interpolation === 'nearest') expectExact(y.data, expected.data, `${label(t)} [${isa}]`);
      else expectClose(y.data, expected, 1, `${label(t)} [${isa}, ${threads} threads]`);
      if (first) expectExact(y.data, first, `${isa}: 2 threads give 1 thread's bits`);
      first = y.data;
    });
  });
}

forEachBackend('UpSampling2D against the float64 reference', () => {
  cases(50, 808).forEach((t, i) => it(label(t), () => check(t, 10 + i)));
  it('the benchmark\'s 64x64x32 by 2, both interpolations', () => {
    check({ shape: [1, 64, 64, 32], size: [2, 2], interpolation: 'nearest' }, 1);
    check({ shape: [1, 64, 64, 32], size: [2, 2], interpolation: 'bilinear' }, 2);
  });

  it('forwardAsync gives forward\'s bits', async () => {
    const x = new ck.Tensor(randomArray(2 * 17 * 13 * 33, 3), [2, 17, 13, 33]);
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      const layer = new ck.UpSampling2D({ size: [3, 2], interpolation });
      expectExact((await layer.forwardAsync(x)).data, layer.forward(x).data, interpolation);
    }
  });

  it('dx equals the float64 oracle and central finite differences, the same bits for 1 and 2 threads and async', async () => {
    for (const t of cases(16, 99)) {
      const bilinear = t.interpolation === 'bilinear';
      const x = randomArray(size(t.shape), 5), layer = new ck.UpSampling2D({ size: t.size, interpolation: t.interpolation });
      const shape = layer.outputShape(t.shape), dy = randomArray(size(shape), 6), input = new ck.Tensor(x, t.shape);
      const runs: Float32Array[] = [];
      forEachThreadCount(() => runs.push(layer.backward(input, new ck.Tensor(dy, shape)).dx.data));
      expectExact(runs[1], runs[0], `${label(t)}: 2 threads`);
      expectExact((await layer.backwardAsync(input, new ck.Tensor(dy, shape))).dx.data, runs[0], `${label(t)}: async`);
      // Terms per cell: a block of sh x sw outputs (nearest), or the up to (2 sh + 1) x (2 sw + 1)
      // outputs that read a cell, each weight rounded thrice (bilinear).
      const k = bilinear ? (2 * t.size[0] + 1) * (2 * t.size[1] + 1) + 3 : t.size[0] * t.size[1];
      expectClose(runs[0], upsampleGradRef(dy, t.shape, t.size, bilinear), k, `${label(t)} dx`);
      if (x.length > 300) continue;
      const loss = () => dot(dy, upsampleRef(x, t.shape, t.size, bilinear).data);
      expectNear(runs[0], finiteDifferences(x, loss), `${label(t)} dx (finite differences)`);
    }
  });
});

describe('UpSampling2D options', () => {
  it('names the option it refuses', () => {
    expect(() => new ck.UpSampling2D({ size: 0 })).to.throw(RangeError, /size/);
    expect(() => new ck.UpSampling2D({ interpolation: 'bicubic' as never })).to.throw(/interpolation/);
    expect(() => new ck.UpSampling2D({ size: 2 }).forward(new ck.Tensor(new Float32Array(4), [2, 2]))).to.throw(/UpSampling2D/);
  });
});
