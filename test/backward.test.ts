import { expect } from 'chai';
import * as ck from '../lib/index';
import { product, resolveWindow, type Window } from '../lib/shape';
import { conv2dRef, denseRef, maxpool2dRef, type RefActivation, type RefResult } from '../suite/reference';
import { expectClose, expectExact } from './helpers/assert';
import { expectRejectsLike, expectThrowsNamed } from './helpers/arbitraries';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { type ConvConfig, convConfigs, describeConv, describePool, type PoolConfig, poolConfigs } from './helpers/configs';
import { activationGradRef, conv2dGradRef, denseGradRef, type GradRef, maxpool2dGradRef, reluMasked } from './helpers/grad-reference';
import { dot, expectNear, finiteDifferences, STEP } from './helpers/finite-differences';
import { randomArray, rng } from './helpers/random';

// Tolerances: expectClose's gamma_K bound with K the longest sum: dW and dBias sum over the
// N*oh*ow outputs (Dense: the m rows); dx over the kh*kw*filters terms (Dense: units) that touch
// a cell. Max-pool adds at most kh*kw window gradients into a cell.

interface Case {
  layer: ck.Layer;
  x: ck.Tensor;
  dy: ck.Tensor;
  ref: GradRef;
  /** Reduction lengths for dx and for kernel/bias. */
  kDx: number;
  kW: number;
}

function convLayer(cfg: ConvConfig, kernel: Float32Array, bias: Float32Array | null): ck.Conv2D {
  return new ck.Conv2D({
    filters: cfg.oc, kernelSize: cfg.kernelSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding,
    activation: cfg.activation, useBias: cfg.useBias, kernel, ...(bias ? { bias } : {}),
  });
}

/**
 * The oracle's gradient with respect to the pre-activation for dy, and its error bound (k: the
 * forward's reduction length). ReLU zeroes dy near its kink first, where float32 and float64
 * could disagree on the sign.
 */
function preActivationGrad(dy: Float32Array, pre: RefResult, activation: RefActivation, k: number): { g: ArrayLike<number>; gErr?: Float64Array } {
  if (activation === 'linear') return { g: dy };
  if (activation === 'relu') return { g: reluMasked(dy, pre, k) };
  return activationGradRef(dy, pre, activation, k);
}

function convCase(cfg: ConvConfig, seed: number): Case {
  const { n, h, w, c, oc } = cfg;
  const [kh, kw] = cfg.kernelSize;
  const x = randomArray(n * h * w * c, seed), kernel = randomArray(kh * kw * c * oc, seed + 1);
  const bias = cfg.useBias ? randomArray(oc, seed + 2) : null;
  const win = resolveWindow(cfg.kernelSize, cfg.strides, cfg.dilation, cfg.padding, h, w);
  const pre = conv2dRef(x, [n, h, w, c], kernel, oc, win, bias, 'linear');
  const dy = randomArray(pre.data.length, seed + 3);
  const { g, gErr } = preActivationGrad(dy, pre, cfg.activation, kh * kw * c);
  return {
    layer: convLayer(cfg, kernel, bias), x: new ck.Tensor(x, [n, h, w, c]), dy: new ck.Tensor(dy, pre.shape),
    ref: conv2dGradRef(x, [n, h, w, c], kernel, oc, win, g, gErr), kDx: kh * kw * oc, kW: pre.data.length / oc,
  };
}

function denseCase(shape: number[], units: number, useBias: boolean, activation: RefActivation, seed: number): Case {
  const m = shape[0], k = product(shape.slice(1));
  const x = randomArray(m * k, seed), kernel = randomArray(k * units, seed + 1);
  const bias = useBias ? randomArray(units, seed + 2) : null;
  const pre = denseRef(x, m, k, kernel, units, bias, 'linear');
  const dy = randomArray(m * units, seed + 3);
  const { g, gErr } = preActivationGrad(dy, pre, activation, k);
  const layer = new ck.Dense({ units, kernel, useBias, activation, ...(bias ? { bias } : {}) });
  return { layer, x: new ck.Tensor(x, shape), dy: new ck.Tensor(dy, [m, units]), ref: denseGradRef(x, m, k, kernel, units, g, gErr), kDx: units, kW: m };
}

function poolLayer(cfg: PoolConfig): ck.MaxPool2D {
  return new ck.MaxPool2D({ poolSize: cfg.poolSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding });
}

function poolWindow(cfg: PoolConfig): Window {
  return resolveWindow(cfg.poolSize, cfg.strides, cfg.dilation, cfg.padding, cfg.h, cfg.w);
}

/** x with a value set of `distinct` levels (ties when small) and NaNs at a rate of nanRate. */
function poolInput(cfg: PoolConfig, seed: number, distinct: number, nanRate: number): Float32Array {
  const r = rng(seed);
  const x = randomArray(cfg.n * cfg.h * cfg.w * cfg.c, seed + 1);
  return x.map((v) => (r() < nanRate ? NaN : distinct ? Math.floor((v + 1) * distinct / 2) - 1 : v));
}

function poolCase(cfg: PoolConfig, x: Float32Array, seed: number): Case {
  const win = poolWindow(cfg), shape = [cfg.n, cfg.h, cfg.w, cfg.c];
  const y = maxpool2dRef(x, shape, win);
  const dy = randomArray(y.data.length, seed);
  const dx = maxpool2dGradRef(x, shape, win, dy);
  return { layer: poolLayer(cfg), x: new ck.Tensor(x, shape), dy: new ck.Tensor(dy, y.shape), ref: { dx, kernel: dx, bias: dx }, kDx: win.kh * win.kw, kW: 0 };
}

/** backward on every kernel build and 1 and 2 threads against the oracle; same bits for 1 and 2 threads. */
function check(cs: Case, label: string): void {
  const hasKernel = cs.layer.getWeights().kernel !== null || cs.layer instanceof ck.Dense;
  const hasBias = cs.layer.getWeights().bias !== null;
  forEachIsa((isa) => {
    let first: ck.Gradients | null = null;
    forEachThreadCount((threads) => {
      const at = `${label} [${isa}, ${threads} threads]`;
      const g = cs.layer.backward(cs.x, cs.dy);
      expect(g.dx.shape, at).to.deep.equal(cs.x.shape);
      expectClose(g.dx.data, cs.ref.dx, cs.kDx, `${at} dx`);
      expect('kernel' in g, `${at} has kernel`).to.equal(hasKernel);
      expect('bias' in g, `${at} has bias`).to.equal(hasBias);
      if (hasKernel) expectClose(g.kernel as Float32Array, cs.ref.kernel, cs.kW, `${at} kernel`);
      if (hasBias) expectClose(g.bias as Float32Array, cs.ref.bias, cs.kW, `${at} bias`);
      if (first === null) first = g;
      else {
        expectExact(g.dx.data, first.dx.data, `${at} dx against 1 thread`);
        if (hasKernel) expectExact(g.kernel as Float32Array, first.kernel as Float32Array, `${at} kernel against 1 thread`);
        if (hasBias) expectExact(g.bias as Float32Array, first.bias as Float32Array, `${at} bias against 1 thread`);
      }
    });
  });
}

// Sizes past the GEMM blocking (K > 256, rows > 96) in each of the three GEMMs.
const BIG_CONV: ConvConfig[] = [
  { n: 3, h: 9, w: 9, c: 33, oc: 20, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'relu' },
  { n: 2, h: 11, w: 7, c: 5, oc: 70, kernelSize: [5, 3], strides: [2, 1], dilation: [1, 2], padding: [2, 1, 0, 3], useBias: false, activation: 'linear' },
  { n: 2, h: 9, w: 8, c: 33, oc: 20, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'softmax' },
  { n: 3, h: 7, w: 9, c: 30, oc: 17, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'valid', useBias: true, activation: 'sigmoid' },
  { n: 1, h: 12, w: 11, c: 29, oc: 33, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: false, activation: 'tanh' },
];

forEachBackend('Conv2D backward against the float64 oracle', () => {
  convConfigs(48, 811).forEach((cfg, i) => it(describeConv(cfg), () => check(convCase(cfg, 100 + 10 * i), describeConv(cfg))));
  BIG_CONV.forEach((cfg, i) => it(`past the blocking sizes: ${describeConv(cfg)}`, () => check(convCase(cfg, 900 + 10 * i), describeConv(cfg))));
});

forEachBackend('Dense backward against the float64 oracle', () => {
  const cases: Array<[number[], number, boolean, RefActivation]> = [
    [[1, 1], 1, true, 'linear'], [[3, 17], 5, false, 'relu'], [[7, 16], 16, true, 'relu'], [[2, 70], 33, true, 'linear'],
    [[9, 257], 17, false, 'linear'], [[3, 4, 5, 6], 10, true, 'relu'], [[130, 40], 48, true, 'relu'], [[5, 300], 3, true, 'linear'],
  ];
  // Each smooth activation below, at and past the 16-column panel and the 4/6/8-row tiles, K past the K block.
  for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
    cases.push([[1, 1], 1, true, activation], [[3, 17], 5, false, activation], [[9, 257], 17, true, activation], [[130, 40], 48, true, activation], [[2, 3, 5], 1, true, activation]);
  }
  // GEMMs with a split K (few micro-tiles, K of two chunks or more): dW and dBias over a batch
  // of 8200 rows; dx summing 8193 units.
  cases.push([[8200, 6], 3, true, 'relu'], [[2, 20], 8193, true, 'linear']);
  cases.forEach(([shape, units, bias, activation], i) => {
    const label = `[${shape.join(', ')}] -> ${units}${bias ? ', bias' : ''}, ${activation}`;
    it(label, () => check(denseCase(shape, units, bias, activation, 2000 + 10 * i), label));
  });
});

forEachBackend('MaxPool2D backward against the oracle', () => {
  poolConfigs(40, 977).forEach((cfg, i) => {
    it(describePool(cfg), () => check(poolCase(cfg, poolInput(cfg, 3000 + i, 0, 0), 4000 + i), describePool(cfg)));
  });
  poolConfigs(12, 1977).forEach((cfg, i) => {
    it(`ties (3 values) and NaNs: ${describePool(cfg)}`, () => check(poolCase(cfg, poolInput(cfg, 5000 + i, 3, 0.1), 6000 + i), describePool(cfg)));
  });
});

// Central finite differences through the float64 forward oracle (helpers/finite-differences.ts).

/** Smallest |value| over a forward result: how far its ReLUs are from their kink. */
function minAbs(r: RefResult): number {
  return Math.min(...Array.from(r.data, Math.abs));
}

const FD_CONV: ConvConfig[] = [
  { n: 2, h: 5, w: 4, c: 2, oc: 3, kernelSize: [3, 2], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'relu' },
  { n: 1, h: 6, w: 7, c: 3, oc: 2, kernelSize: [2, 3], strides: [2, 2], dilation: [2, 1], padding: [1, 0, 2, 1], useBias: false, activation: 'linear' },
  { n: 2, h: 4, w: 4, c: 2, oc: 3, kernelSize: [2, 2], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'sigmoid' },
  { n: 1, h: 5, w: 4, c: 3, oc: 2, kernelSize: [3, 3], strides: [1, 2], dilation: [1, 1], padding: 'same', useBias: true, activation: 'tanh' },
  { n: 2, h: 4, w: 3, c: 2, oc: 4, kernelSize: [2, 2], strides: [1, 1], dilation: [1, 1], padding: 'valid', useBias: true, activation: 'softmax' },
];

forEachBackend('backward against central finite differences', () => {
  FD_CONV.forEach((cfg, i) =>
    it(`Conv2D ${describeConv(cfg)}`, () => {
      const { n, h, w, c, oc } = cfg;
      const x = randomArray(n * h * w * c, 70 + i), kernel = randomArray(cfg.kernelSize[0] * cfg.kernelSize[1] * c * oc, 80 + i);
      const bias = randomArray(oc, 90 + i);
      const win = resolveWindow(cfg.kernelSize, cfg.strides, cfg.dilation, cfg.padding, h, w);
      const forward = () => conv2dRef(x, [n, h, w, c], kernel, oc, win, cfg.useBias ? bias : null, cfg.activation);
      const pre = conv2dRef(x, [n, h, w, c], kernel, oc, win, cfg.useBias ? bias : null, 'linear');
      if (cfg.activation === 'relu') expect(minAbs(pre), 'distance of the ReLU inputs from 0').to.be.above(2 * STEP);
      const dy = randomArray(pre.data.length, 95 + i);
      const g = convLayer(cfg, kernel, cfg.useBias ? bias : null).backward(new ck.Tensor(x, [n, h, w, c]), new ck.Tensor(dy, pre.shape));
      const loss = () => dot(dy, forward().data);
      expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
      expectNear(g.kernel as Float32Array, finiteDifferences(kernel, loss), 'kernel');
      if (cfg.useBias) expectNear(g.bias as Float32Array, finiteDifferences(bias, loss), 'bias');
    }),
  );
  it('Dense [3, 2, 2, 2] -> 4, relu, bias', () => {
    const x = randomArray(24, 41), kernel = randomArray(32, 42), bias = randomArray(4, 43), dy = randomArray(12, 44);
    const forward = () => denseRef(x, 3, 8, kernel, 4, bias, 'relu');
    expect(minAbs(denseRef(x, 3, 8, kernel, 4, bias, 'linear')), 'distance of the ReLU inputs from 0').to.be.above(2 * STEP);
    const g = new ck.Dense({ units: 4, kernel, bias, activation: 'relu' }).backward(new ck.Tensor(x, [3, 2, 2, 2]), new ck.Tensor(dy, [3, 4]));
    const loss = () => dot(dy, forward().data);
    expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
    expectNear(g.kernel as Float32Array, finiteDifferences(kernel, loss), 'kernel');
    expectNear(g.bias as Float32Array, finiteDifferences(bias, loss), 'bias');
  });
  for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
    it(`Dense [4, 3, 2] -> 5, ${activation}, bias`, () => {
      const x = randomArray(24, 141), kernel = randomArray(30, 142), bias = randomArray(5, 143), dy = randomArray(20, 144);
      const g = new ck.Dense({ units: 5, kernel, bias, activation }).backward(new ck.Tensor(x, [4, 3, 2]), new ck.Tensor(dy, [4, 5]));
      const loss = () => dot(dy, denseRef(x, 4, 6, kernel, 5, bias, activation).data);
      expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
      expectNear(g.kernel as Float32Array, finiteDifferences(kernel, loss), 'kernel');
      expectNear(g.bias as Float32Array, finiteDifferences(bias, loss), 'bias');
    });
  }
  it('MaxPool2D 2x5x5x2, pool 3, strides 2, same', () => {
    const cfg: PoolConfig = { n: 2, h: 5, w: 5, c: 2, poolSize: [3, 3], strides: [2, 2], dilation: [1, 1], padding: 'same' };
    const x = new Float32Array(100).map((_, i) => ((i * 37) % 100) / 100 - 0.5), win = poolWindow(cfg), shape = [2, 5, 5, 2];
    const sorted = Array.from(x).sort((a, b) => a - b);
    const gap = Math.min(...sorted.slice(1).map((v, i) => v - sorted[i]));
    expect(gap, 'smallest gap between input values').to.be.above(STEP);
    const y = maxpool2dRef(x, shape, win), dy = randomArray(y.data.length, 52);
    const g = poolLayer(cfg).backward(new ck.Tensor(x, shape), new ck.Tensor(dy, y.shape));
    expectNear(g.dx.data, finiteDifferences(x, () => dot(dy, maxpool2dRef(x, shape, win).data)), 'dx');
  });
});

forEachBackend('backward rules', () => {
  const pool2 = () => new ck.MaxPool2D({ poolSize: 2 });
  it('max-pool: a tie sends the gradient to the first maximal cell in row-major window order', () => {
    const g = pool2().backward(new ck.Tensor(new Float32Array([1, 3, 3, 3]), [1, 2, 2, 1]), new ck.Tensor(new Float32Array([5]), [1, 1, 1, 1]));
    expectExact(g.dx.data, [0, 5, 0, 0], 'dx');
    expect(g).to.have.all.keys('dx');
  });
  it('max-pool: a window holding NaN sends its gradient to its first NaN', () => {
    const g = pool2().backward(new ck.Tensor(new Float32Array([9, NaN, 1, NaN]), [1, 2, 2, 1]), new ck.Tensor(new Float32Array([5]), [1, 1, 1, 1]));
    expectExact(g.dx.data, [0, 5, 0, 0], 'dx');
  });
  it('max-pool: padding never takes gradient, even where every real cell is negative', () => {
    const x = randomArray(2 * 5 * 5 * 3, 61).map((v) => -1 - Math.abs(v)), dy = randomArray(2 * 3 * 3 * 3, 62);
    const g = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }).backward(new ck.Tensor(x, [2, 5, 5, 3]), new ck.Tensor(dy, [2, 3, 3, 3]));
    const total = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    expect(total(g.dx.data)).to.be.closeTo(total(dy), 1e-5);
  });
  it('overlapping max-pool windows that pick the same cell add their gradients', () => {
    const g = new ck.MaxPool2D({ poolSize: 2, strides: 1 }).backward(
      new ck.Tensor(new Float32Array([0, 0, 0, 0, 9, 0, 0, 0, 0]), [1, 3, 3, 1]), new ck.Tensor(new Float32Array([1, 2, 4, 8]), [1, 2, 2, 1]));
    expectExact(g.dx.data, [0, 0, 0, 0, 15, 0, 0, 0, 0], 'dx');
  });
  it('ReLU passes no gradient where its output is 0 (its input <= 0), and all of it where linear', () => {
    const x = new ck.Tensor(new Float32Array([1, 2, -1, 1]), [2, 2]), dy = new ck.Tensor(new Float32Array([1, 1, 1, 1]), [2, 2]);
    const kernel = new Float32Array([1, -1, 1, 0]); // pre-activations [3, -1] and [0, 1]
    const relu = new ck.Dense({ units: 2, kernel, activation: 'relu' }).backward(x, dy);
    expectExact(relu.bias as Float32Array, [1, 1], 'relu bias');
    expectExact(relu.dx.data, [1, 1, -1, 0], 'relu dx');
    expectExact(relu.kernel as Float32Array, [1, -1, 2, 1], 'relu kernel');
    const linear = new ck.Dense({ units: 2, kernel }).backward(x, dy);
    expectExact(linear.bias as Float32Array, [2, 2], 'linear bias');
    expectExact(linear.dx.data, [0, 1, 0, 1], 'linear dx');
  });
  it('without a bias there is no bias gradient; an initialised kernel gets one', () => {
    const g = new ck.Conv2D({ filters: 2, kernelSize: 1, useBias: false }).backward(new ck.Tensor(randomArray(12, 3), [1, 2, 2, 3]), new ck.Tensor(randomArray(8, 4), [1, 2, 2, 2]));
    expect(g).to.have.all.keys('dx', 'kernel');
    expect((g.kernel as Float32Array).length).to.equal(6);
  });
  it('backwardAsync gives the bits of backward, reading x, dy and the weights as they were at the call', async () => {
    const cases = [convCase(BIG_CONV[0], 7), denseCase([4, 3, 3, 2], 7, true, 'relu', 8), denseCase([4, 3, 3, 2], 7, true, 'softmax', 9), poolCase(poolConfigs(1, 9)[0], poolInput(poolConfigs(1, 9)[0], 10, 3, 0), 11)];
    for (const cs of cases) {
      const want = cs.layer.backward(cs.x, cs.dy);
      const x = new ck.Tensor(cs.x.data.slice(), cs.x.shape), dy = new ck.Tensor(cs.dy.data.slice(), cs.dy.shape);
      const pending = cs.layer.backwardAsync(x, dy);
      const weights = cs.layer.getWeights();
      x.data.fill(0.5);
      dy.data.fill(2);
      if (weights.kernel) cs.layer.setWeights({ kernel: weights.kernel.fill(0) });
      const got = await pending;
      expectExact(got.dx.data, want.dx.data, 'dx');
      if (want.kernel) expectExact(got.kernel as Float32Array, want.kernel, 'kernel');
      if (want.bias) expectExact(got.bias as Float32Array, want.bias, 'bias');
    }
  });
});

describe('backward input errors', () => {
  const conv = () => new ck.Conv2D({ filters: 2, kernelSize: 3, kernel: randomArray(3 * 3 * 2 * 2, 1) });
  const x = new ck.Tensor(randomArray(2 * 5 * 5 * 2, 2), [2, 5, 5, 2]);
  const dy = new ck.Tensor(randomArray(2 * 3 * 3 * 2, 3), [2, 3, 3, 2]);
  const cases: Array<[string, () => ck.Layer, unknown, unknown, { name: string; type: typeof TypeError | typeof RangeError }]> = [
    ['dy not a Tensor', conv, x, dy.data, { name: 'dy', type: TypeError }],
    ['dy of the wrong shape', conv, x, dy.reshape([2, 9, 2]), { name: 'dy', type: RangeError }],
    ['dy of the input shape', conv, x, x, { name: 'dy', type: RangeError }],
    ['x not a Tensor', conv, [1, 2], dy, { name: 'Conv2D input', type: TypeError }],
    ['x of rank 3', conv, x.reshape([10, 5, 2]), dy, { name: 'Conv2D input', type: RangeError }],
    ['x with other channels than the kernel', conv, x.reshape([2, 5, 10, 1]), dy, { name: 'input', type: RangeError }],
    ['max-pool dy of the wrong shape', () => new ck.MaxPool2D(), x, dy, { name: 'dy', type: RangeError }],
    ['dense dy of the wrong width', () => new ck.Dense({ units: 3 }), x, new ck.Tensor(randomArray(4, 1), [2, 2]), { name: 'dy', type: RangeError }],
  ];
  for (const [title, layer, xv, dyv, bad] of cases) {
    it(`${title}: ${bad.type.name} naming ${bad.name}, and backwardAsync rejects alike`, async () => {
      const l = layer();
      const e = expectThrowsNamed(() => l.backward(xv as ck.Tensor, dyv as ck.Tensor), bad);
      await expectRejectsLike(() => l.backwardAsync(xv as ck.Tensor, dyv as ck.Tensor), e);
    });
  }
});
