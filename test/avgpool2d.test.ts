import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow } from '../lib/shape';
import { PLAN } from '../lib/generated/kernels';
import { backend } from '../lib/backends/select';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { describePool, poolConfigs } from './helpers/configs';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { avgpool2dGradRef } from './helpers/pool-reference';
import { randomArray } from './helpers/random';
import { avgpool2dRef, maxpool2dRef } from '../suite/reference';
import { maxpool2dGradRef } from './helpers/grad-reference';

// An average is a sum of the window's K cells then one division: expectClose's bound for K terms
// (relative to the mean of |cells|) holds it. Every ISA and build adds the taps in the same
// order and divides once, so all of them, and 1 or 2 threads, give the same bits.

/** Runs fn on each ISA and thread count; every result must have the bits of the first. */
function sameBitsEverywhere(fn: () => Float32Array, label: string): Float32Array {
  let first: Float32Array | null = null;
  forEachIsa((isa) =>
    forEachThreadCount((threads) => {
      const y = fn();
      if (first) expectExact(y, first, `${label} [${isa}, ${threads} threads]`);
      else first = y;
    }),
  );
  return first!;
}

forEachBackend('AveragePooling2D against the float64 reference', () => {
  poolConfigs(80, 8642).forEach((cfg, i) => {
    const countIncludePad = i % 3 === 1;
    it(`${describePool(cfg)}${countIncludePad ? ', countIncludePad' : ''}`, () => {
      const { n, h, w, c } = cfg;
      const x = randomArray(n * h * w * c, 3000 + i);
      const win = resolveWindow(cfg.poolSize, cfg.strides, cfg.dilation, cfg.padding, h, w);
      const expected = avgpool2dRef(x, [n, h, w, c], win, countIncludePad);
      const layer = new ck.AveragePooling2D({ poolSize: cfg.poolSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding, countIncludePad });
      const xt = new ck.Tensor(x, [n, h, w, c]);
      expect(layer.outputShape(xt.shape)).to.deep.equal(expected.shape);
      const y = sameBitsEverywhere(() => layer.forward(xt).data, describePool(cfg));
      expectClose(y, expected, win.kh * win.kw, describePool(cfg));
      // dx: each cell sums at most K terms dy / divisor.
      const dy = randomArray(y.length, 4000 + i);
      const dx = sameBitsEverywhere(() => layer.backward(xt, new ck.Tensor(dy, expected.shape)).dx.data, `${describePool(cfg)} backward`);
      expectClose(dx, avgpool2dGradRef(dy, [n, h, w, c], win, countIncludePad), win.kh * win.kw, `${describePool(cfg)} dx`);
    });
  });

  it('a large pool split across threads (3x3/2 same over 2x60x62x70) and the band path of one thread', () => {
    const [n, h, w, c] = [2, 60, 62, 70];
    const x = randomArray(n * h * w * c, 91);
    const win = resolveWindow([3, 3], [2, 2], [1, 1], 'same', h, w);
    const layer = new ck.AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' });
    const y = sameBitsEverywhere(() => layer.forward(new ck.Tensor(x, [n, h, w, c])).data, '3x3/2 same');
    expectClose(y, avgpool2dRef(x, [n, h, w, c], win, false), 9, '3x3/2 same');
  });

  it('forwardAsync and backwardAsync give the bits of forward and backward', async () => {
    const x = new ck.Tensor(randomArray(2 * 9 * 7 * 19, 5), [2, 9, 7, 19]);
    const layer = new ck.AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' });
    const y = layer.forward(x);
    expectExact((await layer.forwardAsync(x)).data, y.data, 'forwardAsync');
    const dy = new ck.Tensor(randomArray(y.data.length, 6), y.shape);
    expectExact((await layer.backwardAsync(x, dy)).dx.data, layer.backward(x, dy).dx.data, 'backwardAsync');
  });

  it('gradients equal central finite differences (an average is linear: exact up to float64)', () => {
    const cases: [ck.AveragePooling2DOptions, number[]][] = [
      [{ poolSize: 3, strides: 2, padding: 'same' }, [1, 6, 5, 3]],
      [{ poolSize: [2, 3], strides: 1, padding: [1, 0, 2, 1], countIncludePad: true }, [2, 4, 5, 2]],
      [{ poolSize: 2, strides: 1, dilationRate: 2, padding: 'valid' }, [1, 5, 6, 3]],
    ];
    cases.forEach(([opts, shape], i) => {
      const layer = new ck.AveragePooling2D(opts);
      const x = randomArray(shape.reduce((a, b) => a * b), 70 + i);
      const win = resolveWindow(layer.poolSize, layer.strides, layer.dilationRate, layer.padding, shape[1], shape[2]);
      const outShape = layer.outputShape(shape);
      const dy = randomArray(outShape.reduce((a, b) => a * b), 80 + i);
      const fd = finiteDifferences(x, () => dot(dy, avgpool2dRef(x, shape, win, layer.countIncludePad).data));
      expectNear(layer.backward(new ck.Tensor(x, shape), new ck.Tensor(dy, outShape)).dx.data, fd, JSON.stringify(opts));
    });
  });
});

forEachBackend('GlobalAveragePooling2D and GlobalMaxPooling2D', () => {
  const shapes = [[1, 7, 7, 1280], [3, 5, 4, 33], [2, 1, 1, 17], [1, 13, 9, 5], [8, 7, 7, 67]];
  shapes.forEach((shape, i) => {
    it(`[${shape.join(', ')}]`, () => {
      const [n, h, w, c] = shape;
      const x = randomArray(n * h * w * c, 600 + i);
      const xt = new ck.Tensor(x, shape);
      const win = resolveWindow([h, w], [1, 1], [1, 1], 'valid', h, w);
      for (const keepdims of [false, true]) {
        const avg = new ck.GlobalAveragePooling2D({ keepdims }), max = new ck.GlobalMaxPooling2D({ keepdims });
        const outShape = keepdims ? [n, 1, 1, c] : [n, c];
        expect(avg.outputShape(shape)).to.deep.equal(outShape);
        const ya = sameBitsEverywhere(() => avg.forward(xt).data, 'global average');
        expectClose(ya, avgpool2dRef(x, shape, win, false), h * w, 'global average');
        const ym = sameBitsEverywhere(() => max.forward(xt).data, 'global max');
        expectExact(ym, maxpool2dRef(x, shape, win).data, 'global max');
        expect(max.forward(xt).shape).to.deep.equal(outShape);
        const dy = new ck.Tensor(randomArray(n * c, 700 + i), outShape);
        const dxa = sameBitsEverywhere(() => avg.backward(xt, dy).dx.data, 'global average backward');
        expectClose(dxa, avgpool2dGradRef(dy.data, shape, win, false), 1, 'global average dx');
        const dxm = sameBitsEverywhere(() => max.backward(xt, dy).dx.data, 'global max backward');
        expectExact(dxm, maxpool2dGradRef(x, shape, win, dy.data).data, 'global max dx');
      }
    });
  });

  it('one image large enough for two threads: they share its channels, with the bits of one', () => {
    const shape = [1, 46, 46, 1040], [n, h, w, c] = shape;
    expect(h * w * c).to.be.above(Math.max(PLAN.parallelReads.native, PLAN.parallelReads.wasm));
    const x = new ck.Tensor(randomArray(n * h * w * c, 17), shape);
    const win = resolveWindow([h, w], [1, 1], [1, 1], 'valid', h, w);
    const y = sameBitsEverywhere(() => new ck.GlobalAveragePooling2D().forward(x).data, 'global average');
    expectClose(y, avgpool2dRef(x.data, shape, win, false), h * w, 'global average');
    expectExact(sameBitsEverywhere(() => new ck.GlobalMaxPooling2D().forward(x).data, 'global max'), maxpool2dRef(x.data, shape, win).data, 'global max');
    const original = ck.getNumThreads();
    try {
      ck.setNumThreads(2);
      if (ck.getNumThreads() < 2) return console.log('      (plan not checked: this engine runs one thread)');
      const op = backend().createOperator({ op: 'avgpool2d', params: { n, h, w, c, kh: h, kw: w, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 1, ow: 1 } });
      op.reshape({ n, h, w, c, kh: h, kw: w, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 1, ow: 1 });
      const plan = op.explain();
      op.release();
      expect([plan.threads, plan.tasks]).to.deep.equal([2, 2]);
    } finally {
      ck.setNumThreads(original);
    }
  });

  it('async calls give the bits of sync ones', async () => {
    const x = new ck.Tensor(randomArray(2 * 7 * 7 * 40, 9), [2, 7, 7, 40]);
    for (const layer of [new ck.GlobalAveragePooling2D(), new ck.GlobalMaxPooling2D({ keepdims: true })]) {
      const y = layer.forward(x);
      expectExact((await layer.forwardAsync(x)).data, y.data, layer.constructor.name);
      const dy = new ck.Tensor(randomArray(y.data.length, 10), y.shape);
      expectExact((await layer.backwardAsync(x, dy)).dx.data, layer.backward(x, dy).dx.data, `${layer.constructor.name} backward`);
    }
  });

  it('in a Sequential (one graph): the bits of the layers run one by one', async () => {
    const layers = () => [
      new ck.Conv2D({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernel: randomArray(3 * 3 * 5 * 12, 1), bias: randomArray(12, 2) }),
      new ck.AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' }),
      new ck.GlobalAveragePooling2D(),
      new ck.Dense({ units: 4, kernel: randomArray(12 * 4, 3), bias: randomArray(4, 4) }),
    ];
    const x = new ck.Tensor(randomArray(2 * 11 * 9 * 5, 12), [2, 11, 9, 5]);
    const one = layers();
    let y = x;
    for (const l of one) y = l.forward(y);
    const model = new ck.Sequential(layers());
    expectExact(model.forward(x).data, y.data, 'Sequential forward');
    expectExact((await model.forwardAsync(x)).data, y.data, 'Sequential forwardAsync');
    // Sequential.backward: each layer's backward in reverse, the bits of the chain by hand.
    const dy = new ck.Tensor(randomArray(y.data.length, 13), y.shape);
    const inputs = [x];
    for (const l of one.slice(0, -1)) inputs.push(l.forward(inputs[inputs.length - 1]));
    let d = dy;
    for (let i = one.length - 1; i >= 0; i--) d = one[i].backward(inputs[i], d).dx;
    expectExact(model.backward(x, dy).dx.data, d.data, 'Sequential backward');
    // and it trains: the loss of a few epochs goes down.
    model.compile({ optimizer: { type: 'adam', learningRate: 0.02 }, loss: 'meanSquaredError' });
    const { history } = await model.fit(x, new ck.Tensor(randomArray(2 * 4, 14), [2, 4]), { epochs: 20, batchSize: 2, seed: 1, verbose: 0 });
    expect(history.loss[history.loss.length - 1]).to.be.below(history.loss[0]);
    const max = new ck.Sequential([new ck.GlobalMaxPooling2D({ keepdims: true }), new ck.Flatten()]);
    expectExact(max.forward(x).data, new ck.GlobalMaxPooling2D().forward(x).data, 'GlobalMaxPooling2D in a Sequential');
  });
});

describe('pooling options', () => {
  it('are validated with errors that name them', () => {
    expect(() => new ck.AveragePooling2D({ countIncludePad: 1 as unknown as boolean })).to.throw(TypeError, /countIncludePad/);
    expect(() => new ck.AveragePooling2D({ poolSize: 0 })).to.throw(RangeError, /poolSize/);
    expect(() => new ck.GlobalAveragePooling2D({ keepdims: 'yes' as unknown as boolean })).to.throw(TypeError, /keepdims/);
    expect(() => new ck.GlobalMaxPooling2D({ dataFormat: 'channelsFirst' as 'channelsLast' })).to.throw(RangeError, /channels-last.*channelsFirst/);
    expect(() => new ck.AveragePooling2D({ dataFormat: 'channels_first' as 'channelsLast' })).to.throw(RangeError, /channels_first/);
    expect(() => new ck.AveragePooling2D({ poolSize: 2, padding: [3, 0, 0, 0] }).outputShape([1, 4, 4, 1])).to.throw(RangeError, /only padding/);
    expect(() => new ck.GlobalAveragePooling2D().outputShape([1, 4, 4])).to.throw(RangeError, /rank 4/);
  });
});
