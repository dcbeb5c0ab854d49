import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow, type Padding } from '../lib/shape';
import { depthwiseRef } from '../suite/reference';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { backend } from '../lib/backends/select';
import { PATH } from '../lib/generated/kernels';
import { pick, randomArray, randomInt, rng } from './helpers/random';

interface Cfg {
  n: number; h: number; w: number; c: number; m: number; k: [number, number]; s: [number, number]; d: [number, number];
  padding: Padding; relu: boolean; bias: boolean;
}

function configs(count: number, seed: number): Cfg[] {
  const r = rng(seed), out: Cfg[] = [];
  while (out.length < count) {
    const k: [number, number] = [randomInt(r, 1, 5), randomInt(r, 1, 5)], d: [number, number] = [randomInt(r, 1, 2), randomInt(r, 1, 2)];
    const padding: Padding = pick(r, ['valid', 'same', [randomInt(r, 0, 2), randomInt(r, 0, 2), randomInt(r, 0, 2), randomInt(r, 0, 2)]] as Padding[]);
    const cfg: Cfg = {
      n: randomInt(r, 1, 3), h: randomInt(r, 1, 12), w: randomInt(r, 1, 12), c: randomInt(r, 1, 40), m: randomInt(r, 1, 3), k, d, padding,
      s: [randomInt(r, 1, 3), randomInt(r, 1, 3)], relu: r() < 0.5, bias: r() < 0.7,
    };
    const win = resolveWindow(cfg.k, cfg.s, cfg.d, cfg.padding, cfg.h, cfg.w);
    if (cfg.h + win.pt + win.pb < (k[0] - 1) * d[0] + 1 || cfg.w + win.pl + win.pr < (k[1] - 1) * d[1] + 1) continue;
    out.push(cfg);
  }
  return out;
}

const describe_ = (c: Cfg) =>
  `${c.n}x${c.h}x${c.w}x${c.c} m${c.m} k${c.k} s${c.s} d${c.d} ${JSON.stringify(c.padding)}${c.relu ? ' relu' : ''}${c.bias ? '' : ' no bias'}`;

function layerFor(c: Cfg, kernel: Float32Array, bias: Float32Array | null): ck.DepthwiseConv2D {
  return new ck.DepthwiseConv2D({
    kernelSize: c.k, strides: c.s, dilationRate: c.d, padding: c.padding, depthMultiplier: c.m, activation: c.relu ? 'relu' : 'linear',
    useBias: c.bias, kernel, ...(bias ? { bias } : {}),
  });
}

forEachBackend('DepthwiseConv2D against a float64 oracle', () => {
  configs(60, 97).forEach((cfg, i) => {
    it(describe_(cfg), () => {
      const { n, h, w, c, m } = cfg;
      const x = randomArray(n * h * w * c, 100 + i), kernel = randomArray(cfg.k[0] * cfg.k[1] * c * m, 200 + i);
      const bias = cfg.bias ? randomArray(c * m, 300 + i) : null;
      const expected = depthwiseRef(x, [n, h, w, c], kernel, bias, m, resolveWindow(cfg.k, cfg.s, cfg.d, cfg.padding, h, w), cfg.relu);
      const layer = layerFor(cfg, kernel, bias);
      forEachIsa((isa) => {
        let first: Float32Array | null = null;
        forEachThreadCount((threads) => {
          const y = layer.forward(new ck.Tensor(x, [n, h, w, c]));
          expect(y.shape).to.deep.equal(expected.shape);
          expectClose(y.data, expected, cfg.k[0] * cfg.k[1], `${describe_(cfg)} [${isa}, ${threads} threads]`);
          if (first) expectExact(y.data, first, `1 vs 2 threads [${isa}]`);
          first = y.data;
        });
      });
    });
  });

  it('MobileNet-sized layers split across threads give the same bits; async equals sync', async () => {
    for (const [h, c, s] of [[28, 96, 1], [15, 144, 2], [7, 37, 1]] as const) {
      const x = randomArray(h * h * c, 5), kernel = randomArray(9 * c, 6), bias = randomArray(c, 7);
      const layer = new ck.DepthwiseConv2D({ kernelSize: 3, strides: s, padding: 'same', activation: 'relu', kernel, bias });
      const expected = depthwiseRef(x, [1, h, h, c], kernel, bias, 1, resolveWindow([3, 3], [s, s], [1, 1], 'same', h, h), true);
      const input = new ck.Tensor(x, [1, h, h, c]);
      ck.setNumThreads(1);
      const one = layer.forward(input);
      ck.setNumThreads(2);
      const two = layer.forward(input), later = await layer.forwardAsync(input);
      expectClose(one.data, expected, 9, `${h}x${h}x${c} s${s}`);
      expectExact(two.data, one.data, '2 threads');
      expectExact(later.data, one.data, 'async');
    }
  });

  it('other activations run after the sum (sigmoid, tanh, softmax over the channels)', () => {
    const [n, h, w, c] = [2, 5, 6, 7], x = randomArray(n * h * w * c, 11), kernel = randomArray(9 * c * 2, 12);
    const win = resolveWindow([3, 3], [1, 1], [1, 1], 'same', h, w);
    const lin = depthwiseRef(x, [n, h, w, c], kernel, null, 2, win, false);
    for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
      const y = new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, activation, kernel }).forward(new ck.Tensor(x, [n, h, w, c]));
      for (let p = 0; p < n * h * w; p++) {
        const row = Array.from(lin.data.subarray(p * 2 * c, (p + 1) * 2 * c));
        const mx = Math.max(...row), sum = row.reduce((a, v) => a + Math.exp(v - mx), 0);
        row.forEach((v, o) => {
          const e = activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : activation === 'tanh' ? Math.tanh(v) : Math.exp(v - mx) / sum;
          expect(Math.abs(y.data[p * 2 * c + o] - e), `${activation} [${p}, ${o}]`).to.be.below(1e-5);
        });
      }
    }
  });

  it('runs inside Sequential (one graph with Conv2D and MaxPool2D), sync and async', async () => {
    const x = new ck.Tensor(randomArray(2 * 9 * 9 * 3, 21), [2, 9, 9, 3]);
    const layers = () => [
      new ck.Conv2D({ filters: 8, kernelSize: 1, seed: 3 }),
      new ck.DepthwiseConv2D({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', seed: 4 }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 3, seed: 5 }),
    ];
    const model = new ck.Sequential(layers());
    let step = x;
    for (const l of layers()) step = l.forward(step);
    const y = model.forward(x), later = await model.forwardAsync(x);
    expect(y.shape).to.deep.equal([2, 1, 1, 24]);
    expectExact(y.data, step.data, 'Sequential vs layer by layer');
    expectExact(later.data, y.data, 'async');
  });
});

forEachBackend('the depthwise2d operator', () => {
  const params = (oc: number) => ({ n: 2, h: 9, w: 7, c: 6, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oh: 5, ow: 4, oc, activation: 0 });

  it('plans runs of output pixels on the depthwise path, and checks what could break memory', () => {
    const b = backend(), kernel = randomArray(9 * 12, 3), packed = b.packWeights(kernel, { k: 9, n: 12 });
    const op = b.createOperator({ op: 'depthwise2d', packed, bias: randomArray(12, 4), params: params(12) });
    expect(op.reshape(params(12))).to.equal(2 * 5 * 4 * 12);
    const plan = op.explain();
    expect(plan.path).to.equal(PATH.depthwise);
    expect(plan.rows).to.equal(40);
    expect(plan.tasks * plan.rowsPerTask).to.be.at.least(plan.rows);
    expect(op.run(randomArray(2 * 9 * 7 * 6, 5)).length).to.equal(480);
    expect(() => op.run(new Float32Array(5))).to.throw(RangeError);
    expect(() => op.reshape(params(13))).to.throw(/oc/);
    expect(() => op.reshape({ ...params(12), oh: 6 })).to.throw(/oh/);
    const wrong = b.createOperator({ op: 'depthwise2d', packed: b.packWeights(kernel, { k: 12, n: 9 }), bias: null, params: params(12) });
    expect(() => wrong.reshape(params(12))).to.throw();
    op.release();
    wrong.release();
    b.release(packed);
  });
});

describe('DepthwiseConv2D options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['kernelSize', () => new ck.DepthwiseConv2D({ kernelSize: 0 }), /kernelSize/],
    ['depthMultiplier', () => new ck.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: -2 }), /positive integer for depthMultiplier but received -2/],
    ['strides', () => new ck.DepthwiseConv2D({ kernelSize: 3, strides: [1, 0] }), /strides/],
    ['padding', () => new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'full' as Padding }), /padding/],
    ['dilationRate', () => new ck.DepthwiseConv2D({ kernelSize: 3, dilationRate: 1.5 }), /dilationRate/],
    ['activation', () => new ck.DepthwiseConv2D({ kernelSize: 3, activation: 'gelu_x' as 'relu' }), /activation/],
    ['useBias', () => new ck.DepthwiseConv2D({ kernelSize: 3, useBias: 1 as unknown as boolean }), /useBias/],
    ['dataFormat', () => new ck.DepthwiseConv2D({ kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' }), /dataFormat.*channelsFirst/],
    ['kernel', () => new ck.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, kernel: new Float32Array(17) }), /kernel length .*multiple of 18/],
    ['bias with kernel', () => new ck.DepthwiseConv2D({ kernelSize: 1, kernel: new Float32Array(4), bias: new Float32Array(3) }), /bias/],
    ['bias without useBias', () => new ck.DepthwiseConv2D({ kernelSize: 1, useBias: false, bias: new Float32Array(3) }), /bias/],
  ];
  for (const [name, make, message] of bad) it(`refuses a bad ${name}`, () => expect(make).to.throw(message));

  it('refuses an input of other channels than its kernel, and a window larger than the padded input', () => {
    const l = new ck.DepthwiseConv2D({ kernelSize: 1, kernel: new Float32Array(4) });
    expect(() => l.forward(new ck.Tensor(new Float32Array(5), [1, 1, 1, 5]))).to.throw(/4 channels/);
    expect(() => new ck.DepthwiseConv2D({ kernelSize: 3 }).forward(new ck.Tensor(new Float32Array(4), [1, 2, 2, 1]))).to.throw(RangeError);
  });
});
