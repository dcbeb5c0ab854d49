import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow } from '../lib/shape';
import { expectClose } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { ACTIVATIONS, type ConvConfig, convConfigs, describeConv } from './helpers/configs';
import { randomArray } from './helpers/random';
import { conv2dRef, type RefResult } from '../suite/reference';
import { runsWinograd, winogradRef } from './helpers/winograd-bound';

// Tolerance: see expectClose, gamma_K = 2(K + 2)u with K = kh*kw*inC, times the sum of |terms|;
// where native runs the convolution as Winograd, that algorithm's bound (helpers/winograd-bound.ts).

function check(cfg: ConvConfig, seed: number): void {
  const { n, h, w, c, oc } = cfg;
  const [kh, kw] = cfg.kernelSize;
  const x = randomArray(n * h * w * c, seed);
  const kernel = randomArray(kh * kw * c * oc, seed + 1);
  const bias = cfg.useBias ? randomArray(oc, seed + 2) : null;
  const win = resolveWindow(cfg.kernelSize, cfg.strides, cfg.dilation, cfg.padding, h, w);
  const expected = conv2dRef(x, [n, h, w, c], kernel, oc, win, bias, cfg.activation);
  const layer = new ck.Conv2D({
    filters: oc, kernelSize: cfg.kernelSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding,
    activation: cfg.activation, useBias: cfg.useBias, kernel, ...(bias ? { bias } : {}),
  });
  const input = new ck.Tensor(x, [n, h, w, c]);
  let winograd: RefResult | null = null;
  forEachIsa((isa) =>
    forEachThreadCount((threads) => {
      const y = layer.forward(input);
      if (y.shape.join() !== expected.shape.join()) throw new Error(`shape ${y.shape} != ${expected.shape}`);
      const label = `${describeConv(cfg)} [${isa}, ${threads} threads]`;
      if (!runsWinograd([n, h, w, c], win, oc)) return expectClose(y.data, expected, kh * kw * c, label);
      winograd ??= winogradRef(x, [n, h, w, c], kernel, oc, win, bias, cfg.activation);
      expectClose(y.data, winograd, c + 6, `${label} (Winograd)`);
    }),
  );
}

// Sizes past the blocking constants: K > 256 (KC), rows > 96 (MC) and > one im2col segment.
const BLOCK_CASES: ConvConfig[] = [
  { n: 3, h: 17, w: 17, c: 70, oc: 70, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'relu' },
  { n: 1, h: 23, w: 19, c: 33, oc: 17, kernelSize: [5, 5], strides: [2, 1], dilation: [1, 1], padding: 'same', useBias: false, activation: 'softmax' },
  { n: 2, h: 15, w: 16, c: 64, oc: 65, kernelSize: [1, 1], strides: [1, 1], dilation: [1, 1], padding: 'valid', useBias: true, activation: 'linear' },
  { n: 2, h: 15, w: 16, c: 300, oc: 3, kernelSize: [1, 1], strides: [1, 1], dilation: [1, 1], padding: 'valid', useBias: true, activation: 'relu' },
  { n: 1, h: 9, w: 9, c: 129, oc: 48, kernelSize: [3, 3], strides: [1, 1], dilation: [2, 2], padding: [2, 2, 2, 2], useBias: true, activation: 'tanh' },
  // Fewer rows (42) than filters, work enough for two threads: the indirect GEMM's threads split
  // the panels (both backends), the last group holding the partial panel.
  { n: 1, h: 6, w: 7, c: 64, oc: 100, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 1], padding: 'same', useBias: true, activation: 'relu' },
  // A 1x1 convolution of 6 pixels and 8200 channels: its GEMM splits K into chunks (few micro-tiles).
  { n: 2, h: 1, w: 3, c: 8200, oc: 20, kernelSize: [1, 1], strides: [1, 1], dilation: [1, 1], padding: 'valid', useBias: true, activation: 'relu' },
];

forEachBackend('Conv2D against the float64 reference', () => {
  convConfigs(160, 1234).forEach((cfg, i) => {
    it(describeConv(cfg), () => check(cfg, 1000 + i));
  });
  BLOCK_CASES.forEach((cfg, i) => {
    it(`past the blocking sizes: ${describeConv(cfg)}`, () => check(cfg, 5000 + i));
  });
  // Native reads the kw taps of a window row as one run of a padded copy below 8 channels.
  const MERGED_ROWS: ConvConfig[] = [
    { n: 2, h: 13, w: 11, c: 3, oc: 20, kernelSize: [3, 5], strides: [2, 1], dilation: [2, 1], padding: [1, 2, 2, 0], useBias: true, activation: 'relu' },
    { n: 1, h: 9, w: 16, c: 7, oc: 33, kernelSize: [2, 3], strides: [1, 3], dilation: [1, 1], padding: 'same', useBias: false, activation: 'sigmoid' },
    { n: 3, h: 6, w: 5, c: 1, oc: 16, kernelSize: [3, 3], strides: [1, 1], dilation: [1, 2], padding: 'same', useBias: true, activation: 'linear' },
  ];
  MERGED_ROWS.forEach((cfg, i) => {
    it(`few channels (window rows merged on native): ${describeConv(cfg)}`, () => check(cfg, 7000 + i));
  });
  it('1x1 stride-1 (the path without im2col) with padding still pads', () => {
    check({ n: 2, h: 5, w: 4, c: 17, oc: 18, kernelSize: [1, 1], strides: [1, 1], dilation: [1, 1], padding: [1, 0, 2, 1], useBias: true, activation: 'linear' }, 77);
  });
  it('propagates NaN and infinity from the input like the reference, through every activation', () => {
    const x = randomArray(1 * 4 * 4 * 3, 9);
    x[5] = NaN;
    x[20] = Infinity;
    const kernel = randomArray(3 * 3 * 3 * 4, 10).map(Math.abs);
    for (const activation of ACTIVATIONS) {
      const layer = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation, kernel });
      const y = layer.forward(new ck.Tensor(x, [1, 4, 4, 3]));
      const ref = conv2dRef(x, [1, 4, 4, 3], kernel, 4, resolveWindow([3, 3], [1, 1], [1, 1], 'same', 4, 4), new Float32Array(4), activation);
      expect(ref.data.some(Number.isNaN), `${activation}: the case holds NaN`).to.equal(true);
      for (let i = 0; i < y.data.length; i++) {
        const e = ref.data[i], a = y.data[i];
        if (Number.isNaN(e) !== Number.isNaN(a)) throw new Error(`${activation}: NaN mismatch at ${i} (got ${a}, expected ${e})`);
        if (!Number.isFinite(e) && !Number.isNaN(e) && e !== a) throw new Error(`${activation}: inf mismatch at ${i} (got ${a})`);
        if (Number.isFinite(e) && !(Math.abs(a - e) <= 1e-5 * (1 + Math.abs(e)))) throw new Error(`${activation}: ${a} at ${i}, expected ${e}`);
      }
    }
  });
});
