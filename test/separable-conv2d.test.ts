// SeparableConv2D: a depthwise convolution then a pointwise one, as one step (one backend call,
// the intermediate in the graph's arena), against a float64 oracle, TensorFlow.js (its layer,
// its separableConv2d op and tf.grads) and central finite differences; read and written as Keras.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { resolveWindow, type Padding, type Window } from '../lib/shape';
import { outputSize, type RefResult } from '../suite/reference';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { randomWindowOptions } from './helpers/configs';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

before(tfjsReady);

const U = 2 ** -24;

interface Cfg {
  n: number; h: number; w: number; c: number; m: number; filters: number; k: [number, number]; s: [number, number]; d: [number, number];
  padding: Padding; relu: boolean; bias: boolean;
}

function configs(count: number, seed: number): Cfg[] {
  const r = rng(seed), out: Cfg[] = [];
  while (out.length < count) {
    const { k, d, s, padding } = randomWindowOptions(r, 2);
    const cfg: Cfg = {
      n: randomInt(r, 1, 2), h: randomInt(r, 1, 10), w: randomInt(r, 1, 10), c: pick(r, [1, 2, 3, 5, 8, 17, 33]), m: randomInt(r, 1, 3),
      filters: pick(r, [1, 3, 7, 16, 17, 40]), k, d, padding, s, relu: r() < 0.5, bias: r() < 0.7,
    };
    if (Math.min(...outputSize(cfg.h, cfg.w, resolveWindow(k, cfg.s, d, padding, cfg.h, cfg.w))) < 1) continue;
    out.push(cfg);
  }
  return out;
}

const label = (c: Cfg) =>
  `${c.n}x${c.h}x${c.w}x${c.c} m${c.m} -> ${c.filters} k${c.k} s${c.s} d${c.d} ${JSON.stringify(c.padding)}${c.relu ? ' relu' : ''}${c.bias ? '' : ' no bias'}`;

/**
 * The definition in float64: z = depthwise(x), y = z * pointwise + bias. err: how far convkit's
 * float32 z (a sum of at most kh * kw products, rounded) can move y through the pointwise kernel.
 */
function separableRef(x: Float32Array, [n, h, w, c]: number[], dk: Float32Array, pk: Float32Array, bias: Float32Array | null, m: number,
  filters: number, win: Window, relu: boolean): RefResult {
  const [oh, ow] = outputSize(h, w, win), depth = c * m, taps = win.kh * win.kw;
  const data = new Float64Array(n * oh * ow * filters), absSum = new Float64Array(data.length), err = new Float64Array(data.length);
  const z = new Float64Array(depth), zErr = new Float64Array(depth);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        for (let j = 0; j < depth; j++) {
          let s = 0, a = 0;
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const t = x[((b * h + iy) * w + ix) * c + Math.floor(j / m)] * dk[(ky * win.kw + kx) * depth + j];
              s += t;
              a += Math.abs(t);
            }
          z[j] = s;
          zErr[j] = 2 * (taps + 2) * U * a + Math.abs(s) * U;
        }
        for (let o = 0; o < filters; o++) {
          let s = bias ? bias[o] : 0, a = Math.abs(s), e = 0;
          for (let j = 0; j < depth; j++) {
            s += z[j] * pk[j * filters + o];
            a += Math.abs(z[j] * pk[j * filters + o]);
            e += 1.01 * zErr[j] * Math.abs(pk[j * filters + o]);
          }
          const i = ((b * oh + oy) * ow + ox) * filters + o;
          data[i] = relu ? Math.max(0, s) : s;
          absSum[i] = a;
          err[i] = e;
        }
      }
  return { shape: [n, oh, ow, filters], data, absSum, err };
}

function layerFor(c: Cfg, dk?: Float32Array, pk?: Float32Array, bias?: Float32Array | null): ck.SeparableConv2D {
  return new ck.SeparableConv2D({
    filters: c.filters, kernelSize: c.k, strides: c.s, dilationRate: c.d, padding: c.padding, depthMultiplier: c.m,
    activation: c.relu ? 'relu' : 'linear', useBias: c.bias, ...(dk ? { depthwiseKernel: dk } : {}), ...(pk ? { pointwiseKernel: pk } : {}), ...(bias ? { bias } : {}),
  });
}

function inputs(c: Cfg, seed: number) {
  return {
    shape: [c.n, c.h, c.w, c.c], x: randomArray(c.n * c.h * c.w * c.c, seed), dk: randomArray(c.k[0] * c.k[1] * c.c * c.m, seed + 1),
    pk: randomArray(c.c * c.m * c.filters, seed + 2), bias: c.bias ? randomArray(c.filters, seed + 3) : null,
    win: resolveWindow(c.k, c.s, c.d, c.padding, c.h, c.w),
  };
}

forEachBackend('SeparableConv2D against a float64 oracle', () => {
  configs(30, 5171).forEach((cfg, i) => {
    it(label(cfg), () => {
      const { shape, x, dk, pk, bias, win } = inputs(cfg, 100 + 4 * i);
      const expected = separableRef(x, shape, dk, pk, bias, cfg.m, cfg.filters, win, cfg.relu);
      const layer = layerFor(cfg, dk, pk, bias), input = new ck.Tensor(x, shape);
      forEachIsa((isa) => {
        let first: Float32Array | null = null;
        forEachThreadCount((threads) => {
          const y = layer.forward(input);
          expect(y.shape).to.deep.equal(expected.shape);
          expectClose(y.data, expected, cfg.c * cfg.m, `${label(cfg)} [${isa}, ${threads} threads]`);
          if (first) expectExact(y.data, first, `1 vs 2 threads [${isa}]`);
          first = y.data;
        });
      });
    });
  });

  it('an Xception-sized layer (28x28x128 -> 256) splits across threads with the same bits; async equals sync', async () => {
    const cfg: Cfg = { n: 1, h: 28, w: 28, c: 128, m: 1, filters: 256, k: [3, 3], s: [1, 1], d: [1, 1], padding: 'same', relu: true, bias: true };
    const { shape, x, dk, pk, bias, win } = inputs(cfg, 9);
    const layer = layerFor(cfg, dk, pk, bias), input = new ck.Tensor(x, shape);
    ck.setNumThreads(1);
    const one = layer.forward(input);
    ck.setNumThreads(2);
    const two = layer.forward(input), later = await layer.forwardAsync(input);
    expectClose(one.data, separableRef(x, shape, dk, pk, bias, 1, 256, win, true), 128, 'Xception layer');
    expectExact(two.data, one.data, '2 threads');
    expectExact(later.data, one.data, 'async');
  });

  it('runs inside Sequential as two nodes of its graph, sync and async, with a BatchNormalization after it', async () => {
    const x = new ck.Tensor(randomArray(2 * 9 * 9 * 3, 21), [2, 9, 9, 3]);
    const layers = () => [
      new ck.Conv2D({ filters: 6, kernelSize: 3, seed: 3 }),
      new ck.SeparableConv2D({ filters: 10, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', seed: 4 }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.SeparableConv2D({ filters: 5, kernelSize: 2, useBias: false, seed: 5 }),
      new ck.BatchNormalization({}),
    ];
    const model = new ck.Sequential(layers());
    let step = x;
    for (const l of layers()) step = l.forward(step);
    const y = model.forward(x), later = await model.forwardAsync(x);
    expect(y.shape).to.deep.equal([2, 2, 2, 5]);
    expectExact(y.data, step.data, 'Sequential vs layer by layer');
    expectExact(later.data, y.data, 'async');
  });
});

forEachBackend('SeparableConv2D backward', () => {
  configs(10, 8123).forEach((cfg, i) => {
    it(`dx, both kernels and db against finite differences: ${label(cfg)}`, async () => {
      const c = { ...cfg, h: Math.min(cfg.h, 6), w: Math.min(cfg.w, 6), c: Math.min(cfg.c, 5), filters: Math.min(cfg.filters, 7) };
      if (Math.min(...outputSize(c.h, c.w, resolveWindow(c.k, c.s, c.d, c.padding, c.h, c.w))) < 1) return;
      const { shape, x, dk, pk, bias, win } = inputs(c, 700 + 4 * i);
      const ref = separableRef(x, shape, dk, pk, bias, c.m, c.filters, win, false), dy = randomArray(ref.data.length, 701 + 4 * i);
      // Away from relu's kink only (the finite difference is exact for a linear map).
      const relu = c.relu && ref.data.every((v) => Math.abs(v) > 1e-2);
      const loss = () => dot(dy, separableRef(x, shape, dk, pk, bias, c.m, c.filters, win, relu).data);
      const layer = layerFor({ ...c, relu }, dk, pk, bias), input = new ck.Tensor(x, shape), grad = new ck.Tensor(dy, ref.shape);
      const g = layer.backward(input, grad);
      expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
      expectNear(g.depthwiseKernel!, finiteDifferences(dk, loss), 'depthwise kernel');
      expectNear(g.pointwiseKernel!, finiteDifferences(pk, loss), 'pointwise kernel');
      if (bias) expectNear(g.bias!, finiteDifferences(bias, loss), 'bias');
      const later = await layer.backwardAsync(input, grad);
      expectExact(later.dx.data, g.dx.data, 'async dx');
      expectExact(later.depthwiseKernel!, g.depthwiseKernel!, 'async depthwise kernel');
    });
  });

  it('equals tf.grads of tf.separableConv2d', () => {
    const [n, h, w, c, m, f] = [2, 7, 6, 4, 2, 5], x = randomArray(n * h * w * c, 41), dk = randomArray(9 * c * m, 42), pk = randomArray(c * m * f, 43);
    const layer = new ck.SeparableConv2D({ filters: f, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: m, useBias: false, depthwiseKernel: dk, pointwiseKernel: pk });
    const y = layer.forward(new ck.Tensor(x, [n, h, w, c])), dy = randomArray(y.data.length, 44);
    const g = layer.backward(new ck.Tensor(x, [n, h, w, c]), new ck.Tensor(dy, y.shape));
    const peer = tf.tidy(() => {
      const loss = (a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) =>
        tf.sum(tf.mul(tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, p as tf.Tensor4D, 2, 'same'), tf.tensor(dy, [...y.shape])));
      return tf.grads(loss)([tf.tensor4d(x, [n, h, w, c]), tf.tensor4d(dk, [3, 3, c, m]), tf.tensor4d(pk, [1, 1, c * m, f])]).map((t) => t.dataSync() as Float32Array);
    });
    expectMatches(g.dx.data, peer[0], 'dx', 1e-5);
    expectMatches(g.depthwiseKernel!, peer[1], 'depthwise kernel', 1e-5);
    expectMatches(g.pointwiseKernel!, peer[2], 'pointwise kernel', 1e-5);
  });
});

forEachBackend('SeparableConv2D and grouped Conv2D in fit', () => {
  it('learns which quadrant of an image is lit, and fit updates both kernels and the bias', async () => {
    const n = 48, x = new Float32Array(n * 6 * 6 * 2), labels = new Float32Array(n), r = rng(5);
    for (let i = 0; i < n; i++) {
      const q = i % 4, oy = q >> 1, ox = q & 1;
      labels[i] = q;
      for (let p = 0; p < 72; p++) x[i * 72 + p] = 0.1 * (r() - 0.5);
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) x[i * 72 + ((oy * 3 + dy) * 6 + ox * 3 + dx) * 2 + (q % 2)] += 1;
    }
    const sep = new ck.SeparableConv2D({ filters: 6, kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'relu', seed: 2 });
    const model = new ck.Sequential([
      sep, new ck.Conv2D({ filters: 6, kernelSize: 1, groups: 3, activation: 'relu', seed: 3 }), new ck.MaxPool2D({ poolSize: 3 }), new ck.Flatten(),
      new ck.Dense({ units: 4, activation: 'softmax', seed: 4 }),
    ]);
    const input = new ck.Tensor(x, [n, 6, 6, 2]);
    model.forward(input);
    const before = sep.getWeights();
    model.compile({ optimizer: { type: 'adam', learningRate: 0.03 }, loss: 'sparseCategoricalCrossentropy' });
    const { history } = await model.fit(input, new ck.Tensor(labels, [n]), { epochs: 30, batchSize: 12, seed: 1, verbose: 0 });
    expect(history.loss[29]).to.be.below(history.loss[0] / 4);
    const after = sep.getWeights();
    for (const k of ['depthwiseKernel', 'pointwiseKernel', 'bias'] as const) expect(Array.from(after[k]!), k).to.not.deep.equal(Array.from(before[k]!));
  });
});

forEachBackend('SeparableConv2D as a Keras layer', () => {
  const r = rng(991);
  for (let i = 0; i < 6; i++) {
    const k = randomInt(r, 1, 3), strides = randomInt(r, 1, 2), padding = pick(r, ['valid', 'same'] as const), m = randomInt(r, 1, 2);
    const c = randomInt(r, 1, 9), filters = randomInt(r, 1, 20), h = randomInt(r, k, 9), w = randomInt(r, k, 9), activation = pick(r, ['linear', 'relu'] as const);
    const name = `${h}x${w}x${c} k${k} s${strides} ${padding} m${m} -> ${filters} ${activation}`;
    it(`read from tfjs-layers and written back: ${name}`, async () => {
      const model = tfl.sequential({
        layers: [tfl.layers.separableConv2d({ inputShape: [h, w, c], filters, kernelSize: k, strides, padding, depthMultiplier: m, activation, biasInitializer: 'randomUniform' })],
      });
      const x = randomArray(2 * h * w * c, 80 + i), shape = [2, h, w, c];
      const loaded = await loadSequential(await tfjsArtifacts(model));
      const ours = loaded.forward(new ck.Tensor(x, shape)).data;
      expectMatches(ours, tfjsPredict(model, x, shape), name, (k * k + c * m) * 8 * 2 ** -23);
      const saved = loaded.toArtifacts();
      expect(saved.weightSpecs!.map((s) => [s.name.split('/')[1], s.shape])).to.deep.equal([
        ['depthwise_kernel', [k, k, c, m]], ['pointwise_kernel', [1, 1, c * m, filters]], ['bias', [filters]],
      ]);
      const peer = await tfjsLoad(saved);
      expectMatches(tfjsPredict(peer, x, shape), ours, 'tfjs reading convkit', (k * k + c * m) * 8 * 2 ** -23);
      expectExact((await loadSequential(saved)).forward(new ck.Tensor(x, shape)).data, ours, 'read back');
      model.dispose();
      peer.dispose();
    });
  }
});

describe('SeparableConv2D options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['filters', () => new ck.SeparableConv2D({ filters: -3, kernelSize: 3 }), /positive integer for filters but received -3/],
    ['kernelSize', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 0 }), /kernelSize/],
    ['depthMultiplier', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, depthMultiplier: 0 }), /depthMultiplier/],
    ['strides', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, strides: [1, 0] }), /strides/],
    ['padding', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, padding: 'full' as Padding }), /padding/],
    ['dilationRate', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, dilationRate: 1.5 }), /dilationRate/],
    ['activation', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, activation: 'nope' as 'relu' }), /activation/],
    ['useBias', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, useBias: 1 as unknown as boolean }), /useBias/],
    ['dataFormat', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' }), /dataFormat.*channelsFirst/],
    ['depthwiseKernel', () => new ck.SeparableConv2D({ filters: 2, kernelSize: 3, depthMultiplier: 2, depthwiseKernel: new Float32Array(17) }), /kernel length .*multiple of 18/],
    ['pointwiseKernel', () => new ck.SeparableConv2D({ filters: 4, kernelSize: 3, pointwiseKernel: new Float32Array(6) }), /kernel length .*multiple of 4/],
    ['bias', () => new ck.SeparableConv2D({ filters: 4, kernelSize: 3, bias: new Float32Array(3) }), /bias/],
  ];
  for (const [name, make, message] of bad) it(`refuses a bad ${name}`, () => expect(make).to.throw(message));

  it('refuses an input of other channels than its kernels', () => {
    const l = new ck.SeparableConv2D({ filters: 2, kernelSize: 1, depthwiseKernel: new Float32Array(4) });
    expect(() => l.forward(new ck.Tensor(new Float32Array(5), [1, 1, 1, 5]))).to.throw(/4 channels/);
  });
});
