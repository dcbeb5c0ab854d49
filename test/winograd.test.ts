// Native's Winograd F(2x2, 3x3) path (native/ops/winograd.cc): against the float64 oracle with
// that algorithm's error bound (helpers/winograd-bound.ts), at every edge of its tiles, blocks
// and panels, on every ISA and thread count; the same bits for any thread count; the documented
// non-finite behaviour; weights replaced, calls in flight and chains; and algorithm: 'direct'.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow } from '../lib/shape';
import { conv2dRef } from '../suite/reference';
import { expectClose } from './helpers/assert';
import { forEachIsa, onNative, onWasm } from './helpers/backends';
import { ACTIVATIONS, type ConvConfig, describeConv } from './helpers/configs';
import { randomArray } from './helpers/random';
import { runsWinograd, winogradRef } from './helpers/winograd-bound';

const bits = (y: ck.Tensor) => Array.from(new Uint32Array(y.data.buffer, y.data.byteOffset, y.data.length));

const conv = (cfg: Partial<ConvConfig> & { n: number; h: number; w: number; c: number; oc: number }): ConvConfig => ({
  kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'linear', ...cfg,
});

// Tiles (2x2 output pixels) and their remainders against every MR (4, 6, 8 rows; 12 packed):
// 9 (8 + 1: the one-row kernel takes the last), 10 (8 + 2), 49 (C5), odd extents (a last tile
// half outside), one-sided and wide pads (tiles of padding only), channels off the 4-float
// vectors (33) and past a K block (300), filters off the panels and chunks (50, 33), batches.
const CASES: ConvConfig[] = [
  conv({ n: 1, h: 6, w: 6, c: 32, oc: 32 }),
  conv({ n: 1, h: 4, w: 10, c: 40, oc: 48, activation: 'relu' }),
  conv({ n: 1, h: 14, w: 14, c: 64, oc: 64, activation: 'relu' }),
  conv({ n: 2, h: 7, w: 9, c: 33, oc: 50, activation: 'sigmoid' }),
  conv({ n: 1, h: 9, w: 8, c: 48, oc: 33, padding: [0, 2, 1, 0], useBias: false, activation: 'tanh' }),
  conv({ n: 1, h: 8, w: 8, c: 32, oc: 40, padding: 'valid', activation: 'softmax' }),
  conv({ n: 1, h: 5, w: 5, c: 32, oc: 32, padding: [3, 3, 3, 3], activation: 'relu' }),
  conv({ n: 1, h: 6, w: 7, c: 300, oc: 36 }),
  conv({ n: 3, h: 11, w: 6, c: 35, oc: 70, useBias: false }),
];

function layerFor(cfg: ConvConfig, seed: number, algorithm: ck.ConvAlgorithm = 'auto') {
  const { n, h, w, c, oc } = cfg;
  const kernel = randomArray(9 * c * oc, seed + 1);
  const bias = cfg.useBias ? randomArray(oc, seed + 2) : null;
  const layer = new ck.Conv2D({
    filters: oc, kernelSize: 3, padding: cfg.padding, activation: cfg.activation, useBias: cfg.useBias, kernel,
    ...(bias ? { bias } : {}), algorithm,
  });
  const x = randomArray(n * h * w * c, seed);
  const win = resolveWindow([3, 3], [1, 1], [1, 1], cfg.padding, h, w);
  return { layer, x, input: new ck.Tensor(x, [n, h, w, c]), kernel, bias, win };
}

describe('Winograd F(2x2, 3x3) convolutions [native]', () => {
  const native = onNative();
  if (!native) return;

  CASES.forEach((cfg, i) => {
    it(`within the Winograd bound, the same bits for 1, 2 and 3 threads: ${describeConv(cfg)}`, () => {
      const { n, h, w, c, oc } = cfg;
      const { layer, x, input, kernel, bias, win } = layerFor(cfg, 300 + 10 * i);
      const ref = winogradRef(x, [n, h, w, c], kernel, oc, win, bias, cfg.activation);
      const original = ck.getNumThreads();
      try {
        forEachIsa((isa) => {
          const per: number[][] = [];
          for (const threads of [1, 2, 3]) {
            ck.setNumThreads(threads);
            expect(runsWinograd([n, h, w, c], win, oc), `${isa}: takes the Winograd path`).to.equal(true);
            const y = layer.forward(input);
            expectClose(y.data, ref, c + 6, `${describeConv(cfg)} [${isa}, ${threads} threads]`);
            per.push(bits(y));
          }
          expect(per[1], `${isa}: 2 threads`).to.deep.equal(per[0]);
          expect(per[2], `${isa}: 3 threads`).to.deep.equal(per[0]);
        });
      } finally {
        ck.setNumThreads(original);
      }
    });
  });

  it("algorithm: 'direct' keeps a layer off the path, within the direct sum's tighter bound", () => {
    const cfg = CASES[2];
    const { n, h, w, c, oc } = cfg;
    const { layer, x, input, kernel, bias, win } = layerFor(cfg, 400, 'direct');
    expect(layer.algorithm).to.equal('direct');
    expect(runsWinograd([n, h, w, c], win, oc, true)).to.equal(false);
    expect(runsWinograd([n, h, w, c], win, oc, false)).to.equal(true);
    const y = layer.forward(input);
    expectClose(y.data, conv2dRef(x, [n, h, w, c], kernel, oc, win, bias, cfg.activation), 9 * c, 'direct');
    // The two algorithms differ in rounding, not in value.
    const auto = new ck.Conv2D({ filters: oc, kernelSize: 3, padding: 'same', activation: 'relu', kernel, bias: bias ?? undefined });
    expect(auto.algorithm).to.equal('auto');
    expectClose(auto.forward(input).data, winogradRef(x, [n, h, w, c], kernel, oc, win, bias, 'relu'), c + 6, 'auto');
  });

  it('non-finite inputs: NaN wherever the window reads one, non-finite wherever it reads an infinity (before a squashing activation), finite elsewhere', () => {
    const [n, h, w, c, oc] = [1, 6, 6, 32, 32];
    const x = randomArray(n * h * w * c, 21);
    x[(1 * w + 1) * c + 3] = NaN; // pixel (1, 1)
    x[(4 * w + 4) * c + 7] = Infinity; // pixel (4, 4)
    const kernel = randomArray(9 * c * oc, 22).map(Math.abs);
    for (const activation of ACTIVATIONS) {
      const layer = new ck.Conv2D({ filters: oc, kernelSize: 3, padding: 'same', activation, kernel });
      const win = resolveWindow([3, 3], [1, 1], [1, 1], 'same', h, w);
      expect(runsWinograd([n, h, w, c], win, oc)).to.equal(true);
      const y = layer.forward(new ck.Tensor(x, [n, h, w, c])).data;
      // Softmax spreads a non-finite value over its whole row (the filters of one pixel): judged per pixel.
      for (let oy = 0; oy < h; oy++)
        for (let ox = 0; ox < w; ox++) {
          const reads = (py: number, px: number) => Math.abs(oy - py) <= 1 && Math.abs(ox - px) <= 1;
          for (let o = 0; o < oc; o++) {
            const v = y[(oy * w + ox) * oc + o], at = `${activation} (${oy}, ${ox}, ${o}): ${v}`;
            // An infinity stays non-finite through linear and relu (sigmoid, tanh and softmax may
            // squash it into range).
            if (reads(1, 1)) expect(Number.isNaN(v), at).to.equal(true);
            else if (reads(4, 4)) expect(activation !== 'linear' && activation !== 'relu' || !Number.isFinite(v), at).to.equal(true);
            else expect(Number.isFinite(v), at).to.equal(true);
          }
        }
    }
  });

  it('new weights take effect: the transformed weights belong to the packed ones', () => {
    const cfg = CASES[0];
    const { n, h, w, c, oc } = cfg;
    const { layer, x, input, win } = layerFor(cfg, 500);
    layer.forward(input);
    const kernel = randomArray(9 * c * oc, 501), bias = randomArray(oc, 502);
    layer.setWeights({ kernel, bias });
    expectClose(layer.forward(input).data, winogradRef(x, [n, h, w, c], kernel, oc, win, bias, 'linear'), c + 6, 'after setWeights');
    expect(Array.from(layer.getWeights().kernel as Float32Array)).to.deep.equal(Array.from(kernel));
  });

  it('concurrent first calls (the transformed weights built once) give the bits of a sync call', async () => {
    const cfg = CASES[3];
    const first = layerFor(cfg, 600), second = layerFor(cfg, 600);
    const results = await Promise.all(Array.from({ length: 6 }, () => first.layer.forwardAsync(first.input)));
    const expected = bits(second.layer.forward(second.input));
    for (const y of results) expect(bits(y)).to.deep.equal(expected);
  });

  it('a model chain of Winograd layers gives the bits of its layers called one by one', async () => {
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', seed: 30 }),
      new ck.Conv2D({ filters: 40, kernelSize: 3, padding: 'same', seed: 31 }),
    ]);
    const x = new ck.Tensor(randomArray(2 * 12 * 10 * 32, 32), [2, 12, 10, 32]);
    let step = x;
    for (const layer of model.layers) step = layer.forward(step);
    expect(bits(model.forward(x))).to.deep.equal(bits(step));
    expect(bits(await model.forwardAsync(x))).to.deep.equal(bits(step));
  });
});

describe('Conv2D algorithm option', () => {
  it("accepts 'auto' and 'direct' and names anything else", () => {
    expect(new ck.Conv2D({ filters: 1, kernelSize: 3 }).algorithm).to.equal('auto');
    expect(() => new ck.Conv2D({ filters: 1, kernelSize: 3, algorithm: 'winograd' as never }))
      .to.throw(RangeError, "Expected one of 'auto', 'direct' for algorithm but received 'winograd'");
    expect(() => new ck.Conv2D({ filters: 1, kernelSize: 3, algorithm: 3 as never }))
      .to.throw(TypeError, /for algorithm but received 3/);
  });

  describe('on wasm, which always sums directly', () => {
    const wasm = onWasm();
    if (!wasm) return;
    it("'auto' and 'direct' give the same bits", () => {
      const a = layerFor(CASES[2], 700, 'auto'), d = layerFor(CASES[2], 700, 'direct');
      expect(bits(a.layer.forward(a.input))).to.deep.equal(bits(d.layer.forward(d.input)));
    });
  });
});
