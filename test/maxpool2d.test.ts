import { expect } from 'chai';
import * as ck from '../lib/index';
import { PLAN } from '../lib/generated/kernels';
import { resolveWindow } from '../lib/shape';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { describePool, poolConfigs } from './helpers/configs';
import { randomArray } from './helpers/random';
import { maxpool2dRef } from '../suite/reference';

// Max-pool does no arithmetic: results must equal the reference bit for bit.

forEachBackend('MaxPool2D against the reference', () => {
  poolConfigs(120, 4321).forEach((cfg, i) => {
    it(describePool(cfg), () => {
      const { n, h, w, c } = cfg;
      const x = randomArray(n * h * w * c, 2000 + i);
      const expected = maxpool2dRef(x, [n, h, w, c], resolveWindow(cfg.poolSize, cfg.strides, cfg.dilation, cfg.padding, h, w));
      const layer = new ck.MaxPool2D({ poolSize: cfg.poolSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding });
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = layer.forward(new ck.Tensor(x, [n, h, w, c]));
          expect(y.shape).to.deep.equal(expected.shape);
          expectExact(y.data, expected.data, `${describePool(cfg)} [${isa}, ${threads} threads]`);
        }),
      );
    });
  });

  it('a large pool split across threads (3x3/2 same over 1x120x122x70)', () => {
    const [h, w, c] = [120, 122, 70];
    const win = resolveWindow([3, 3], [2, 2], [1, 1], 'same', h, w);
    // Big enough that both backends' plans share it between 2 threads (wasm's threshold is higher).
    const [oh, ow] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    for (const reads of [PLAN.parallelReads.native, PLAN.parallelReads.wasm]) expect(oh * ow * 9 * c).to.be.above(reads);
    const x = randomArray(h * w * c, 31);
    const expected = maxpool2dRef(x, [1, h, w, c], win);
    forEachIsa((isa) =>
      forEachThreadCount((threads) => {
        const y = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }).forward(new ck.Tensor(x, [1, h, w, c]));
        expectExact(y.data, expected.data, `[${isa}, ${threads} threads]`);
      }),
    );
  });

  it('an input larger than two bands (wasm pools it band by band on one thread): padding, dilation, two images, NaN on a band edge', () => {
    // 2x70x60x40 floats is 1.3 MB, over twice PLAN.poolBandBytes; a band holds 54 rows of 9600 bytes.
    const [n, h, w, c] = [2, 70, 60, 40];
    expect(n * h * w * c * 4).to.be.above(2 * PLAN.poolBandBytes);
    const x = randomArray(n * h * w * c, 77);
    for (const row of [0, 26, 27, 53, 54, 69, 70 + 26]) x[(row * w + 3) * c + 5] = NaN;
    const cases: [number, number, number, [number, number, number, number]][] = [[3, 2, 1, [2, 1, 1, 0]], [2, 1, 2, [0, 0, 0, 0]], [4, 3, 1, [3, 3, 2, 2]]];
    for (const [k, s, d, padding] of cases) {
      const win = resolveWindow([k, k], [s, s], [d, d], padding, h, w);
      const expected = maxpool2dRef(x, [n, h, w, c], win);
      const layer = new ck.MaxPool2D({ poolSize: k, strides: s, dilationRate: d, padding });
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          expectExact(layer.forward(new ck.Tensor(x, [n, h, w, c])).data, expected.data, `k${k} s${s} d${d} [${isa}, ${threads} threads]`);
        }),
      );
    }
  });

  it('padded cells never win, even when every real value is negative', () => {
    const x = new Float32Array(3 * 3).fill(-5);
    forEachIsa((isa) => {
      const y = new ck.MaxPool2D({ poolSize: 3, strides: 1, padding: 'same' }).forward(new ck.Tensor(x, [1, 3, 3, 1]));
      expect(Array.from(y.data), isa).to.deep.equal(new Array(9).fill(-5));
    });
  });

  it('a NaN in the window gives NaN, -Infinity stays -Infinity', () => {
    const x = new Float32Array([1, NaN, 3, 4, -Infinity, -Infinity, -Infinity, -Infinity]);
    forEachIsa((isa) => {
      const y = new ck.MaxPool2D({ poolSize: [1, 2], strides: [1, 2] }).forward(new ck.Tensor(x, [1, 1, 8, 1]));
      expect(Number.isNaN(y.data[0]), isa).to.equal(true);
      expect(Array.from(y.data.slice(1)), isa).to.deep.equal([4, -Infinity, -Infinity]);
    });
  });

  it('defaults: poolSize 2, strides = poolSize, valid', () => {
    const layer = new ck.MaxPool2D();
    expect(layer.outputShape([2, 7, 9, 3])).to.deep.equal([2, 3, 4, 3]);
    const x = randomArray(2 * 7 * 9 * 3, 8);
    const expected = maxpool2dRef(x, [2, 7, 9, 3], resolveWindow([2, 2], [2, 2], [1, 1], 'valid', 7, 9));
    expectExact(layer.forward(new ck.Tensor(x, [2, 7, 9, 3])).data, expected.data);
  });
});
