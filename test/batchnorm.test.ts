// BatchNormalization in inference: options and their errors, the standalone per-channel op and
// the fold into a linear Conv2D or Dense in Sequential's graph, against float64 oracles written
// from the definition, with tolerances derived from the rounding of each form; the same bits for
// 1 and 2 threads and on every native ISA (every element is rounded as written, no FMA).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { resolveWindow } from '../lib/shape';
import { conv2dRef, denseRef, depthwiseRef } from '../suite/reference';
import type { Step } from '../lib/backends/backend';
import { type BnWeights, inference64, U } from './helpers/batchnorm-reference';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Random weights of c channels (variances in [0.25, 2.25)); gamma or beta null when absent. */
function weights(c: number, seed: number, scale = true, center = true): BnWeights {
  return {
    gamma: scale ? randomArray(c, seed) : null, beta: center ? randomArray(c, seed + 1) : null,
    movingMean: randomArray(c, seed + 2), movingVariance: Float32Array.from(randomArray(c, seed + 3), (v) => 1.25 + v),
  };
}

function layerOf(w: BnWeights, opts: ck.BatchNormalizationOptions = {}): ck.BatchNormalization {
  return new ck.BatchNormalization({
    ...opts, scale: w.gamma !== null, center: w.beta !== null, movingMean: w.movingMean, movingVariance: w.movingVariance,
    ...(w.gamma ? { gamma: w.gamma } : {}), ...(w.beta ? { beta: w.beta } : {}),
  });
}

function expectWithin(actual: Float32Array, expected: Float64Array, tol: Float64Array | ((i: number) => number), label: string): void {
  expect(actual.length, `${label} length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const t = typeof tol === 'function' ? tol(i) : tol[i];
    if (!(Math.abs(actual[i] - expected[i]) <= t)) expect.fail(`${label} [${i}]: got ${actual[i]}, expected ${expected[i]} (|diff| ${Math.abs(actual[i] - expected[i])} > ${t})`);
  }
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('BatchNormalization options', () => {
  const refuses = (opts: unknown, kind: typeof TypeError | typeof RangeError, text: RegExp) =>
    expect(() => new ck.BatchNormalization(opts as ck.BatchNormalizationOptions)).to.throw(kind, text);

  it('names the option in each error', () => {
    refuses({ axis: 0 }, RangeError, /Expected positive integer for axis but received 0/);
    refuses({ axis: '3' }, TypeError, /for axis/);
    refuses({ momentum: 1.5 }, RangeError, /number in \[0, 1\] for momentum but received 1.5/);
    refuses({ momentum: NaN }, RangeError, /momentum/);
    refuses({ epsilon: 0 }, RangeError, /positive finite number for epsilon/);
    refuses({ center: 'yes' }, TypeError, /boolean for center/);
    refuses({ scale: 1 }, TypeError, /boolean for scale/);
    refuses({ gammaInitializer: 'glorotUniform' }, RangeError, /'zeros', 'ones' for gammaInitializer/);
    refuses({ movingVarianceInitializer: 2 }, TypeError, /movingVarianceInitializer/);
    refuses({ activation: 'swishy' }, RangeError, /activation/);
    refuses({ scale: false, gamma: new Float32Array(3) }, TypeError, /no gamma \(scale is false\) for gamma/);
    refuses({ movingMean: [1, 2] }, TypeError, /Float32Array for movingMean/);
    refuses({ movingMean: new Float32Array(3), movingVariance: new Float32Array(4) }, RangeError, /movingVariance of 3 channels/);
    refuses(5, TypeError, /options object for BatchNormalization options/);
  });

  it('refuses a channel axis that is not the last one, naming axis and channels_first', () => {
    const bn = new ck.BatchNormalization({ axis: 1 });
    expect(() => bn.forward(new ck.Tensor(new Float32Array(24), [1, 2, 3, 4]))).to.throw(RangeError, /Expected axis -1 or 3 .* but received 1 \(channels_first data is not supported/);
    expect(new ck.BatchNormalization({ axis: 3 }).forward(new ck.Tensor(new Float32Array(24), [1, 2, 3, 4])).shape).to.deep.equal([1, 2, 3, 4]);
    expect(new ck.BatchNormalization({ axis: 1 }).forward(new ck.Tensor(new Float32Array(6), [2, 3])).shape).to.deep.equal([2, 3]);
  });

  it('refuses another channel count, and kernel or bias weights', () => {
    const bn = new ck.BatchNormalization({ movingMean: new Float32Array(3) });
    expect(() => bn.forward(new ck.Tensor(new Float32Array(8), [2, 4]))).to.throw(RangeError, /Expected input with 3 channels for BatchNormalization but received shape \[2, 4\]/);
    expect(() => bn.setWeights({ kernel: new Float32Array(3) })).to.throw(TypeError, /gamma, beta, movingMean and movingVariance/);
    expect(() => bn.setWeights({ beta: new Float32Array(2) })).to.throw(RangeError, /beta of 3 channels/);
  });

  it('has Keras weights: gamma and beta only with scale and center, initializers once the channels are known', () => {
    const bn = new ck.BatchNormalization({ center: false, movingVarianceInitializer: 'zeros', gammaInitializer: 'zeros' });
    expect(bn.getWeights().movingMean).to.equal(null);
    bn.forward(new ck.Tensor(new Float32Array(4), [2, 2]));
    const w = bn.getWeights();
    expect(w.beta).to.equal(null);
    expect([...w.gamma!]).to.deep.equal([0, 0]);
    expect([...w.movingMean!]).to.deep.equal([0, 0]);
    expect([...w.movingVariance!]).to.deep.equal([0, 0]);
    expect(bn.momentum).to.equal(0.99);
    expect(bn.epsilon).to.equal(1e-3);
  });
});

forEachBackend('BatchNormalization inference', () => {
  const SHAPES = [[2, 3, 4, 5], [1, 7, 5, 17], [3, 33], [4, 1, 1, 1], [2, 5, 3, 67], [5, 2, 3, 16]];
  SHAPES.forEach((shape, k) => {
    const c = shape[shape.length - 1], scale = k % 3 !== 1, center = k % 2 === 0;
    it(`[${shape.join(', ')}]${scale ? '' : ' scale false'}${center ? '' : ' center false'}: forward, forwardAsync and Sequential against float64`, async () => {
      const w = weights(c, 10 * k, scale, center), epsilon = [1e-3, 1e-5, 0.01][k % 3];
      const x = new ck.Tensor(randomArray(size(shape), 10 * k + 5), shape), bn = layerOf(w, { epsilon });
      const ref = inference64(x.data, c, w, epsilon);
      const y = bn.forward(x);
      expectWithin(y.data, ref.y, ref.tol, 'forward');
      expect(bits((await bn.forwardAsync(x)).data)).to.equal(bits(y.data));
      const seq = new ck.Sequential([bn]);
      expect(bits(seq.forward(x).data)).to.equal(bits(y.data));
      expect(bits((await seq.forwardAsync(x)).data)).to.equal(bits(y.data));
    });
  });

  for (const activation of ['relu', 'sigmoid'] as const) {
    it(`with activation ${activation}: the activation after the normalization`, () => {
      const c = 7, w = weights(c, 70), x = new ck.Tensor(randomArray(3 * 4 * c, 71), [3, 4, c]);
      const ref = inference64(x.data, c, w, 1e-3), f = activation === 'relu' ? (v: number) => Math.max(v, 0) : (v: number) => 1 / (1 + Math.exp(-v));
      // sigmoid is 1/4-Lipschitz and computed in float64, then rounded once.
      const y = layerOf(w, { activation }).forward(x);
      expectWithin(y.data, ref.y.map(f), (i) => ref.tol[i] + U * Math.abs(f(ref.y[i])), activation);
    });
  }

  /** A Conv2D (direct sum) then BatchNormalization in float64, and the bound of either float32 form. */
  function convThenBn(x: ck.Tensor, conv: ck.Conv2D, w: BnWeights, epsilon: number, act: (v: number) => number) {
    const [, h, wd] = x.shape, kw = conv.getWeights();
    const win = resolveWindow(conv.kernelSize, conv.strides, conv.dilationRate, conv.padding, h, wd);
    const z = conv2dRef(x.data, x.shape as number[], kw.kernel!, conv.filters, win, kw.bias, 'linear');
    return bnAfter(z.data, z.absSum, conv.kernelSize[0] * conv.kernelSize[1] * x.shape[3], conv.filters, w, epsilon, act);
  }

  /**
   * y = act((z - mean) s + beta) and the bound of a float32 result: the folded form sums K
   * products of x and W s (each rounded) plus b s + t; the unfolded one rounds z, then x s + t.
   * Either is within 2 (K + 3) u (|s| sum|x W| + |b s| + |t|) + 3 u |y| + 2 u |z s|.
   */
  function bnAfter(z: Float64Array, absSum: Float64Array, k: number, c: number, w: BnWeights, epsilon: number, act: (v: number) => number) {
    const y = new Float64Array(z.length), tol = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) {
      const j = i % c, s = (w.gamma ? w.gamma[j] : 1) / Math.sqrt(w.movingVariance[j] + epsilon), t = (w.beta ? w.beta[j] : 0) - w.movingMean[j] * s;
      const pre = z[i] * s + t;
      y[i] = act(pre);
      tol[i] = 2 * (k + 3) * U * (Math.abs(s) * absSum[i] + Math.abs(t)) + 3 * U * Math.abs(pre) + 2 * U * Math.abs(z[i] * s) + 1e-30;
    }
    return { y, tol };
  }

  const CONV_CASES = [
    { shape: [2, 6, 5, 3], filters: 5, kernelSize: 3, padding: 'same' as const, useBias: true },
    { shape: [1, 7, 7, 4], filters: 17, kernelSize: 1, padding: 'valid' as const, useBias: false },
    { shape: [3, 5, 6, 9], filters: 33, kernelSize: 2, padding: 'valid' as const, useBias: true },
  ];
  CONV_CASES.forEach((cc, k) => {
    it(`Conv2D ${cc.kernelSize}x${cc.kernelSize} ${cc.filters} filters then BatchNormalization: folded in Sequential, within the bound`, async () => {
      const x = new ck.Tensor(randomArray(size(cc.shape), 300 + k), cc.shape);
      const conv = new ck.Conv2D({ ...cc, algorithm: 'direct', seed: k + 1 }), w = weights(cc.filters, 310 + k), bn = layerOf(w);
      const seq = new ck.Sequential([conv, bn]);
      const y = seq.forward(x), ref = convThenBn(x, conv, w, 1e-3, (v) => v);
      expectWithin(y.data, ref.y, ref.tol, 'folded');
      expectWithin(bn.forward(conv.forward(x)).data, ref.y, ref.tol, 'layer by layer');
      expect(bits((await seq.forwardAsync(x)).data)).to.equal(bits(y.data));
    });
  });

  for (const m of [1, 2]) {
    it(`DepthwiseConv2D (multiplier ${m}) then BatchNormalization: folded in Sequential (no batchNorm operator), within the bound`, async () => {
      const shape = [2, 7, 6, 5], c = 5, x = new ck.Tensor(randomArray(size(shape), 320 + m), shape);
      const dw = new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: m, seed: m }), w = weights(c * m, 330 + m), bn = layerOf(w);
      const b = backend(), create = b.createOperator, ops: string[] = [];
      b.createOperator = (step: Step) => (ops.push(step.op), create.call(b, step));
      let y: ck.Tensor;
      try {
        y = new ck.Sequential([dw, bn]).forward(x);
      } finally {
        b.createOperator = create;
      }
      expect(ops).to.deep.equal(['depthwise2d']);
      const kw = dw.getWeights(), win = resolveWindow(dw.kernelSize, dw.strides, dw.dilationRate, dw.padding, 7, 6);
      const z = depthwiseRef(x.data, shape, kw.kernel!, kw.bias, m, win, false);
      const ref = bnAfter(z.data, z.absSum, 9, c * m, w, 1e-3, (v) => v);
      expectWithin(y.data, ref.y, ref.tol, 'folded');
      expectWithin(bn.forward(dw.forward(x)).data, ref.y, ref.tol, 'layer by layer');
    });
  }

  it('folds and keeps the Conv2D weights as the user set them; a change of any weight folds again', () => {
    const x = new ck.Tensor(randomArray(2 * 5 * 5 * 3, 400), [2, 5, 5, 3]);
    const kernel = randomArray(3 * 3 * 3 * 6, 401), bias = randomArray(6, 402);
    const conv = new ck.Conv2D({ filters: 6, kernelSize: 3, kernel, bias, algorithm: 'direct' }), w = weights(6, 403), bn = layerOf(w);
    const seq = new ck.Sequential([conv, bn]);
    seq.forward(x);
    expect(bits(conv.getWeights().kernel!)).to.equal(bits(kernel));
    expect(bits(conv.getWeights().bias!)).to.equal(bits(bias));
    const check = (label: string) => {
      const ref = convThenBn(x, conv, { ...w, ...bn.getWeights() } as BnWeights, 1e-3, (v) => v);
      expectWithin(seq.forward(x).data, ref.y, ref.tol, label);
    };
    bn.setWeights({ movingMean: randomArray(6, 404) });
    Object.assign(w, { movingMean: bn.getWeights().movingMean });
    check('new moving mean');
    bn.setWeights({ gamma: randomArray(6, 405) });
    check('new gamma');
    conv.setWeights({ bias: randomArray(6, 406) });
    check('new conv bias');
    conv.setWeights({ kernel: randomArray(3 * 3 * 3 * 6, 407) });
    check('new conv kernel');
  });

  it('Conv2D then BatchNormalization with relu: folded, the relu after the normalization', () => {
    const x = new ck.Tensor(randomArray(2 * 6 * 6 * 3, 500), [2, 6, 6, 3]);
    const conv = new ck.Conv2D({ filters: 8, kernelSize: 3, padding: 'same', seed: 5 }), w = weights(8, 501);
    const y = new ck.Sequential([conv, layerOf(w, { activation: 'relu' })]).forward(x), ref = convThenBn(x, conv, w, 1e-3, (v) => Math.max(v, 0));
    expectWithin(y.data, ref.y, ref.tol, 'relu folded');
  });

  it('Conv2D with relu then BatchNormalization: not folded (the normalization follows the relu), the same bits as layer by layer', () => {
    const x = new ck.Tensor(randomArray(2 * 6 * 6 * 3, 510), [2, 6, 6, 3]);
    const conv = new ck.Conv2D({ filters: 8, kernelSize: 3, activation: 'relu', seed: 6 }), bn = layerOf(weights(8, 511));
    expect(bits(new ck.Sequential([conv, bn]).forward(x).data)).to.equal(bits(bn.forward(conv.forward(x)).data));
  });

  it('Dense then BatchNormalization on [N, C]: folded, within the bound', () => {
    const m = 5, kIn = 12, units = 19, x = new ck.Tensor(randomArray(m * kIn, 600), [m, kIn]);
    const dense = new ck.Dense({ units, seed: 3 }), w = weights(units, 601);
    const y = new ck.Sequential([dense, layerOf(w)]).forward(x);
    const kw = dense.getWeights(), z = denseRef(x.data, m, kIn, kw.kernel!, units, kw.bias, 'linear');
    const ref = bnAfter(z.data, z.absSum, kIn, units, w, 1e-3, (v) => v);
    expectWithin(y.data, ref.y, ref.tol, 'dense folded');
  });

  it('the same bits for 1 and 2 threads (a call large enough to share)', () => {
    const c = 37, shape = [4, 30, 20, c], x = new ck.Tensor(randomArray(size(shape), 700), shape), bn = layerOf(weights(c, 701));
    const original = ck.getNumThreads();
    try {
      ck.setNumThreads(1);
      const one = bits(bn.forward(x).data);
      ck.setNumThreads(2);
      expect(bits(bn.forward(x).data)).to.equal(one);
    } finally {
      ck.setNumThreads(original);
    }
  });

  it('the same bits on every ISA of this backend', function () {
    const b = backend(), isas = b.info().isas, original = b.info().isa;
    if (isas.length < 2) {
      console.log(`      skipped: this backend runs one ISA here (${isas.join(', ')})`);
      this.skip();
    }
    const c = 21, shape = [3, 9, 7, c], x = new ck.Tensor(randomArray(size(shape), 800), shape), w = weights(c, 801);
    try {
      const results = isas.map((isa) => {
        expect(b.selectIsa(isa), isa).to.equal(true);
        return bits(layerOf(w).forward(x).data);
      });
      results.forEach((r, i) => expect(r, isas[i]).to.equal(results[0]));
    } finally {
      b.selectIsa(original);
    }
  });
});
