import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow, type Padding, type Window } from '../lib/shape';
import { activate, outputSize, type RefActivation, type RefResult } from '../suite/reference';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { conv2dGradRef } from './helpers/grad-reference';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { randomWindowOptions } from './helpers/configs';
import { backend } from '../lib/backends/select';
import { groupedColumns } from '../lib/backends/backend';
import { PATH } from '../lib/generated/kernels';

interface Cfg {
  n: number; h: number; w: number; groups: number; cpg: number; opg: number; k: [number, number]; s: [number, number]; d: [number, number];
  padding: Padding; activation: RefActivation; bias: boolean;
}

function configs(count: number, seed: number): Cfg[] {
  const r = rng(seed), out: Cfg[] = [];
  while (out.length < count) {
    const { k, d, s, padding } = randomWindowOptions(r, 3);
    const cfg: Cfg = {
      n: randomInt(r, 1, 3), h: randomInt(r, 1, 11), w: randomInt(r, 1, 11), groups: randomInt(r, 2, 7),
      // Groups of one channel, and output columns below, at and across a 16-column panel.
      cpg: pick(r, [1, 1, 2, 3, 5, 8, 17]), opg: pick(r, [1, 2, 3, 5, 7, 16, 17, 33]), k, d, padding,
      s, activation: pick(r, ['linear', 'relu', 'linear', 'sigmoid'] as RefActivation[]), bias: r() < 0.7,
    };
    const win = resolveWindow(cfg.k, cfg.s, cfg.d, cfg.padding, cfg.h, cfg.w);
    if (Math.min(...outputSize(cfg.h, cfg.w, win)) < 1) continue;
    out.push(cfg);
  }
  return out;
}

const label = (c: Cfg) =>
  `${c.n}x${c.h}x${c.w}x${c.groups * c.cpg} groups ${c.groups} -> ${c.groups * c.opg} k${c.k} s${c.s} d${c.d} ${JSON.stringify(c.padding)} ${c.activation}${c.bias ? '' : ' no bias'}`;

/** The grouped convolution by its definition, in float64: filter o reads only its group's channels. */
function groupedRef(x: Float32Array, [n, h, w, c]: number[], kernel: Float32Array, oc: number, groups: number, win: Window,
  bias: Float32Array | null, activation: RefActivation): RefResult {
  const [oh, ow] = outputSize(h, w, win), cpg = c / groups, opg = oc / groups;
  const data = new Float64Array(n * oh * ow * oc), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < oc; o++) {
          const g = Math.floor(o / opg);
          let sum = bias ? bias[o] : 0, mag = Math.abs(sum);
          for (let ky = 0; ky < win.kh; ky++)
            for (let kx = 0; kx < win.kw; kx++) {
              const iy = oy * win.sh - win.pt + ky * win.dh, ix = ox * win.sw - win.pl + kx * win.dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let i = 0; i < cpg; i++) {
                const t = x[((b * h + iy) * w + ix) * c + g * cpg + i] * kernel[((ky * win.kw + kx) * cpg + i) * oc + o];
                sum += t;
                mag += Math.abs(t);
              }
            }
          const at = ((b * oh + oy) * ow + ox) * oc + o;
          data[at] = sum;
          absSum[at] = mag;
        }
  return activate({ shape: [n, oh, ow, oc], data, absSum }, activation);
}

/** The [kh, kw, c, oc] kernel of the same convolution (zero where a filter does not read a channel). */
function denseKernel(kernel: Float32Array, taps: number, c: number, oc: number, groups: number): Float32Array {
  const cpg = c / groups, opg = oc / groups, out = new Float32Array(taps * c * oc);
  for (let t = 0; t < taps; t++)
    for (let ch = 0; ch < c; ch++)
      for (let o = 0; o < oc; o++) if (Math.floor(o / opg) === Math.floor(ch / cpg)) out[(t * c + ch) * oc + o] = kernel[(t * cpg + ch % cpg) * oc + o];
  return out;
}

function layerFor(c: Cfg, kernel?: Float32Array, bias?: Float32Array | null): ck.Conv2D {
  return new ck.Conv2D({
    filters: c.groups * c.opg, kernelSize: c.k, strides: c.s, dilationRate: c.d, padding: c.padding, groups: c.groups,
    activation: c.activation, useBias: c.bias, ...(kernel ? { kernel } : {}), ...(bias ? { bias } : {}),
  });
}

function inputs(c: Cfg, seed: number) {
  const ch = c.groups * c.cpg, oc = c.groups * c.opg, shape = [c.n, c.h, c.w, ch];
  return {
    shape, oc, x: randomArray(c.n * c.h * c.w * ch, seed), kernel: randomArray(c.k[0] * c.k[1] * c.cpg * oc, seed + 1),
    bias: c.bias ? randomArray(oc, seed + 2) : null, win: resolveWindow(c.k, c.s, c.d, c.padding, c.h, c.w),
  };
}

forEachBackend('grouped Conv2D against a float64 oracle', () => {
  configs(40, 2301).forEach((cfg, i) => {
    it(label(cfg), () => {
      const { shape, oc, x, kernel, bias, win } = inputs(cfg, 100 + 3 * i);
      const expected = groupedRef(x, shape, kernel, oc, cfg.groups, win, bias, cfg.activation);
      const layer = layerFor(cfg, kernel, bias), input = new ck.Tensor(x, shape);
      forEachIsa((isa) => {
        let first: Float32Array | null = null;
        forEachThreadCount((threads) => {
          const y = layer.forward(input);
          expect(y.shape).to.deep.equal(expected.shape);
          expectClose(y.data, expected, cfg.k[0] * cfg.k[1] * cfg.cpg, `${label(cfg)} [${isa}, ${threads} threads]`);
          if (first) expectExact(y.data, first, `1 vs 2 threads [${isa}]`);
          first = y.data;
        });
      });
    });
  });

  it('a ResNeXt-sized layer (32 groups of 4 channels, 28x28) splits across threads with the same bits; async equals sync', async () => {
    const cfg: Cfg = { n: 1, h: 28, w: 28, groups: 32, cpg: 4, opg: 4, k: [3, 3], s: [1, 1], d: [1, 1], padding: 'same', activation: 'relu', bias: true };
    const { shape, oc, x, kernel, bias, win } = inputs(cfg, 7);
    const layer = layerFor(cfg, kernel, bias), input = new ck.Tensor(x, shape);
    const expected = groupedRef(x, shape, kernel, oc, 32, win, bias, 'relu');
    ck.setNumThreads(1);
    const one = layer.forward(input);
    ck.setNumThreads(2);
    const two = layer.forward(input), later = await layer.forwardAsync(input);
    expectClose(one.data, expected, 36, 'ResNeXt layer');
    expectExact(two.data, one.data, '2 threads');
    expectExact(later.data, one.data, 'async');
  });

  it('runs inside Sequential (one graph with plain and depthwise convolutions), sync and async; getWeights returns the kernel given', async () => {
    const x = new ck.Tensor(randomArray(2 * 9 * 9 * 6, 21), [2, 9, 9, 6]);
    const layers = () => [
      new ck.Conv2D({ filters: 9, kernelSize: 3, groups: 3, padding: 'same', activation: 'relu', seed: 3 }),
      new ck.DepthwiseConv2D({ kernelSize: 3, strides: 2, seed: 4 }),
      new ck.Conv2D({ filters: 6, kernelSize: 1, groups: 3, seed: 5 }),
    ];
    const model = new ck.Sequential(layers());
    let step = x;
    for (const l of layers()) step = l.forward(step);
    const y = model.forward(x), later = await model.forwardAsync(x);
    expect(y.shape).to.deep.equal([2, 4, 4, 6]);
    expectExact(y.data, step.data, 'Sequential vs layer by layer');
    expectExact(later.data, y.data, 'async');
    const kernel = randomArray(3 * 3 * 2 * 9, 8), l = new ck.Conv2D({ filters: 9, kernelSize: 3, groups: 3, kernel });
    l.forward(new ck.Tensor(randomArray(6 * 5 * 5, 9), [1, 5, 5, 6]));
    expectExact(l.getWeights().kernel!, kernel, 'getWeights after packing');
  });
});

forEachBackend('grouped Conv2D backward', () => {
  configs(12, 4507).filter((c) => c.activation !== 'sigmoid').forEach((cfg, i) => {
    it(`dx, dW and db against the float64 oracle: ${label(cfg)}`, async () => {
      const c = { ...cfg, activation: 'linear' as RefActivation };
      const { shape, oc, x, kernel, bias, win } = inputs(c, 500 + 4 * i);
      const ch = shape[3], taps = c.k[0] * c.k[1], [oh, ow] = outputSize(c.h, c.w, win);
      const dy = randomArray(c.n * oh * ow * oc, 501 + 4 * i);
      const ref = conv2dGradRef(x, shape, denseKernel(kernel, taps, ch, oc, c.groups), oc, win, dy);
      // dW's oracle: the dense kernel gradient at the grouped kernel's entries.
      const dwRef: RefResult = { shape: [], data: new Float64Array(kernel.length), absSum: new Float64Array(kernel.length) };
      for (let t = 0; t < taps; t++)
        for (let ci = 0; ci < ch; ci++)
          for (let o = 0; o < oc; o++) {
            if (Math.floor(o / c.opg) !== Math.floor(ci / c.cpg)) continue;
            const from = (t * ch + ci) * oc + o, to = (t * c.cpg + ci % c.cpg) * oc + o;
            dwRef.data[to] = ref.kernel.data[from];
            dwRef.absSum[to] = ref.kernel.absSum[from];
          }
      const layer = layerFor(c, kernel, bias), input = new ck.Tensor(x, shape), grad = new ck.Tensor(dy, [c.n, oh, ow, oc]);
      forEachThreadCount((threads) => {
        const g = layer.backward(input, grad);
        expectClose(g.dx.data, ref.dx, taps * c.opg, `dx [${threads} threads]`);
        expectClose(g.kernel!, dwRef, c.n * oh * ow, `dW [${threads} threads]`);
        if (c.bias) expectClose(g.bias!, ref.bias, c.n * oh * ow, `db [${threads} threads]`);
      });
      const later = await layer.backwardAsync(input, grad), now = layer.backward(input, grad);
      expectExact(later.dx.data, now.dx.data, 'async dx');
      expectExact(later.kernel!, now.kernel!, 'async dW');
    });
  });

  it('matches central finite differences through relu', () => {
    const cfg: Cfg = { n: 1, h: 5, w: 4, groups: 3, cpg: 2, opg: 3, k: [3, 2], s: [1, 1], d: [1, 1], padding: 'same', activation: 'relu', bias: true };
    const { shape, oc, x, kernel, bias, win } = inputs(cfg, 31);
    const [oh, ow] = outputSize(cfg.h, cfg.w, win), dy = randomArray(oh * ow * oc, 32);
    const loss = () => dot(dy, groupedRef(x, shape, kernel, oc, cfg.groups, win, bias, 'relu').data);
    const g = layerFor(cfg, kernel, bias).backward(new ck.Tensor(x, shape), new ck.Tensor(dy, [1, oh, ow, oc]));
    expectNear(g.dx.data, finiteDifferences(x, loss), 'dx');
    expectNear(g.kernel!, finiteDifferences(kernel, loss), 'dW');
    expectNear(g.bias!, finiteDifferences(bias!, loss), 'db');
  });
});

forEachBackend('the grouped conv2d operator', () => {
  const params = (groups: number, oc = 12) => ({ n: 2, h: 9, w: 7, c: 6, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oh: 5, ow: 4, oc, activation: 0, groups });

  it("plans each group's tasks (native: the indirect GEMM; wasm: im2col segments), and checks what could break memory", () => {
    const b = backend(), k = 9 * 2, n = groupedColumns(12, 3), packed = b.packWeights(randomArray(k * n, 3), { k, n });
    const op = b.createOperator({ op: 'conv2d', packed, bias: randomArray(12, 4), params: params(3) });
    expect(op.reshape(params(3))).to.equal(2 * 5 * 4 * 12);
    const plan = op.explain();
    expect(plan.path).to.equal(b.name === 'native' ? PATH.indirectGemm : PATH.im2colGemm);
    expect(plan.tasks % 3).to.equal(0);
    expect(plan.tasks / 3 * plan.rowsPerTask).to.be.at.least(plan.rows);
    expect(op.run(randomArray(2 * 9 * 7 * 6, 5)).length).to.equal(480);
    // groups is an attribute, read when the operator is created: 4 does not divide c = 6.
    const four = b.createOperator({ op: 'conv2d', packed, bias: null, params: params(4) });
    expect(() => four.reshape(params(4))).to.throw(/groups/);
    four.release();
    expect(() => op.reshape(params(3, 15))).to.throw();
    const wrongBias = b.createOperator({ op: 'conv2d', packed, bias: randomArray(13, 4), params: params(3) });
    expect(() => wrongBias.reshape(params(3))).to.throw(/bias/);
    for (const o of [op, wrongBias]) o.release();
    b.release(packed);
  });

  it("conv2dBackward refuses groups (a grouped layer's backward runs on its block-diagonal kernel)", () => {
    const p = { ...params(2), bias: true };
    expect(() => backend().conv2dBackward(randomArray(2 * 9 * 7 * 6, 1), randomArray(480, 2), null, randomArray(9 * 3 * 12, 3), p))
      .to.throw(/params.groups but received 2/);
  });

  it('a group per channel runs as a depthwise convolution (multiplier filters / c)', () => {
    const x = randomArray(2 * 6 * 5 * 4, 8), kernel = randomArray(9 * 8, 9), bias = randomArray(8, 10);
    const grouped = new ck.Conv2D({ filters: 8, kernelSize: 3, groups: 4, padding: 'same', kernel, bias });
    const depthwise = new ck.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, padding: 'same', kernel, bias });
    const input = new ck.Tensor(x, [2, 6, 5, 4]);
    expectExact(grouped.forward(input).data, depthwise.forward(input).data, 'the depthwise op');
  });
});

describe('grouped Conv2D options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['groups', () => new ck.Conv2D({ filters: 4, kernelSize: 3, groups: 0 }), /positive integer for groups but received 0/],
    ['groups type', () => new ck.Conv2D({ filters: 4, kernelSize: 3, groups: '2' as unknown as number }), /positive integer for groups/],
    ['groups not dividing filters', () => new ck.Conv2D({ filters: 6, kernelSize: 3, groups: 4 }), /divisor of filters \(6\) for groups but received 4/],
    ['kernel', () => new ck.Conv2D({ filters: 6, kernelSize: 3, groups: 3, kernel: new Float32Array(9 * 6 + 1) }), /kernel length .*multiple of 18/],
  ];
  for (const [name, make, message] of bad) it(`refuses a bad ${name}`, () => expect(make).to.throw(message));

  it('refuses input channels that groups does not divide, naming groups', () => {
    const l = new ck.Conv2D({ filters: 6, kernelSize: 1, groups: 3 });
    expect(() => l.forward(new ck.Tensor(new Float32Array(4), [1, 1, 1, 4]))).to.throw(/divisible by groups \(3\)/);
  });
});
