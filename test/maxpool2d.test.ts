import { expect } from 'chai';
import * as ck from '../lib/index';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachThreadCount } from './helpers/backends';
import { describePool, poolConfigs, windowSpec } from './helpers/configs';
import { randomArray } from './helpers/random';
import { maxpool2dRef } from './helpers/reference';

// Max-pool does no arithmetic: results must equal the reference bit for bit.

forEachBackend('MaxPool2D against the reference', () => {
  poolConfigs(120, 4321).forEach((cfg, i) => {
    it(describePool(cfg), () => {
      const { n, h, w, c } = cfg;
      const x = randomArray(n * h * w * c, 2000 + i);
      const expected = maxpool2dRef(x, [n, h, w, c], windowSpec(h, w, cfg.poolSize, cfg.strides, cfg.dilation, cfg.padding));
      const layer = new ck.MaxPool2D({ poolSize: cfg.poolSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding });
      forEachThreadCount((threads) => {
        const y = layer.forward(new ck.Tensor(x, [n, h, w, c]));
        expect(y.shape).to.deep.equal(expected.shape);
        expectExact(y.data, expected.data, `${describePool(cfg)} [${threads} threads]`);
      });
    });
  });

  it('a large pool split across threads (3x3/2 same over 1x57x61x70)', () => {
    const x = randomArray(57 * 61 * 70, 31);
    const expected = maxpool2dRef(x, [1, 57, 61, 70], windowSpec(57, 61, [3, 3], [2, 2], [1, 1], 'same'));
    forEachThreadCount(() => {
      const y = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }).forward(new ck.Tensor(x, [1, 57, 61, 70]));
      expectExact(y.data, expected.data);
    });
  });

  it('padded cells never win, even when every real value is negative', () => {
    const x = new Float32Array(3 * 3).fill(-5);
    const y = new ck.MaxPool2D({ poolSize: 3, strides: 1, padding: 'same' }).forward(new ck.Tensor(x, [1, 3, 3, 1]));
    expect(Array.from(y.data)).to.deep.equal(new Array(9).fill(-5));
  });

  it('a NaN in the window gives NaN, -Infinity stays -Infinity', () => {
    const x = new Float32Array([1, NaN, 3, 4, -Infinity, -Infinity, -Infinity, -Infinity]);
    const y = new ck.MaxPool2D({ poolSize: [1, 2], strides: [1, 2] }).forward(new ck.Tensor(x, [1, 1, 8, 1]));
    expect(Number.isNaN(y.data[0])).to.equal(true);
    expect(Array.from(y.data.slice(1))).to.deep.equal([4, -Infinity, -Infinity]);
  });

  it('defaults: poolSize 2, strides = poolSize, valid', () => {
    const layer = new ck.MaxPool2D();
    expect(layer.outputShape([2, 7, 9, 3])).to.deep.equal([2, 3, 4, 3]);
    const x = randomArray(2 * 7 * 9 * 3, 8);
    const expected = maxpool2dRef(x, [2, 7, 9, 3], windowSpec(7, 9, [2, 2], [2, 2], [1, 1], 'valid'));
    expectExact(layer.forward(new ck.Tensor(x, [2, 7, 9, 3])).data, expected.data);
  });
});
