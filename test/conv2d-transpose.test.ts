// Conv2DTranspose against the float64 oracle (test/helpers/resample-reference.ts) on every backend,
// ISA and thread count, random geometries; 1 and 2 threads give the same bits; forwardAsync and
// Sequential equal forward; gradients against the oracle and central finite differences.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { type Padding } from '../lib/shape';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { ACTIVATIONS, CHANNELS } from './helpers/configs';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { conv2dTransposeGradRef, conv2dTransposeRef, type TransposeGeometry } from '../suite/reference-resample';
import type { RefActivation } from '../suite/reference';

interface Case {
  n: number; h: number; w: number; c: number; filters: number; kernelSize: [number, number]; strides: [number, number];
  padding: Padding; outputPadding: [number, number] | null; useBias: boolean; activation: RefActivation;
}

const describeCase = (t: Case) => `${t.n}x${t.h}x${t.w}x${t.c} -> ${t.filters}, k ${t.kernelSize.join('x')}, s ${t.strides.join('x')}, ` +
  `pad ${JSON.stringify(t.padding)}, outputPadding ${JSON.stringify(t.outputPadding)}${t.useBias ? ', bias' : ''}, ${t.activation}`;

function cases(count: number, seed: number): Case[] {
  const r = rng(seed), out: Case[] = [];
  while (out.length < count) {
    const kernelSize: [number, number] = [randomInt(r, 1, 5), randomInt(r, 1, 5)];
    const strides: [number, number] = [randomInt(r, 1, 3), randomInt(r, 1, 3)];
    const mode = pick(r, ['valid', 'same', 'explicit'] as const);
    const padding: Padding = mode === 'explicit' ? [randomInt(r, 0, kernelSize[0] - 1), randomInt(r, 0, kernelSize[0] - 1), randomInt(r, 0, kernelSize[1] - 1), randomInt(r, 0, kernelSize[1] - 1)] : mode;
    const outputPadding: [number, number] | null = r() < 0.5 ? null : [randomInt(r, 0, strides[0] - 1), randomInt(r, 0, strides[1] - 1)];
    const t: Case = {
      n: randomInt(r, 1, 3), h: randomInt(r, 1, 9), w: randomInt(r, 1, 9), c: pick(r, CHANNELS), filters: pick(r, CHANNELS),
      kernelSize, strides, padding, outputPadding, useBias: r() < 0.7, activation: pick(r, ACTIVATIONS),
    };
    try {
      layerOf(t, new Float32Array(t.kernelSize[0] * t.kernelSize[1] * t.filters * t.c), null).outputShape([t.n, t.h, t.w, t.c]);
      out.push(t);
    } catch {
      // explicit pads that crop the whole output
    }
  }
  return out;
}

function layerOf(t: Case, kernel: Float32Array, bias: Float32Array | null): ck.Conv2DTranspose {
  return new ck.Conv2DTranspose({
    filters: t.filters, kernelSize: t.kernelSize, strides: t.strides, padding: t.padding, outputPadding: t.outputPadding,
    activation: t.activation, useBias: t.useBias, kernel, ...(bias ? { bias } : {}),
  });
}

/** The layer's geometry, read from its output shape and Keras's rules (independently of the layer's own code). */
function geometry(t: Case, oh: number, ow: number): TransposeGeometry {
  const begin = (size: number, out: number, k: number, s: number, axis: number) => {
    if (Array.isArray(t.padding)) return t.padding[2 * axis];
    return t.padding === 'same' ? Math.floor(Math.max((size - 1) * s + k - out, 0) / 2) : 0;
  };
  const [kh, kw] = t.kernelSize, [sh, sw] = t.strides;
  return { n: t.n, h: t.h, w: t.w, c: t.c, kh, kw, sh, sw, dh: 1, dw: 1, pt: begin(t.h, oh, kh, sh, 0), pl: begin(t.w, ow, kw, sw, 1), oh, ow, oc: t.filters };
}

/** Keras's deconv_output_length. */
function kerasLength(size: number, k: number, s: number, padding: Padding, op: number | null, axis: number): number {
  if (Array.isArray(padding)) return (size - 1) * s + k + (op ?? 0) - padding[2 * axis] - padding[2 * axis + 1];
  if (op === null) return padding === 'valid' ? size * s + Math.max(k - s, 0) : size * s;
  return (size - 1) * s + k - (padding === 'same' ? 2 * Math.floor(k / 2) : 0) + op;
}

function check(t: Case, seed: number): void {
  const x = randomArray(t.n * t.h * t.w * t.c, seed), kernel = randomArray(t.kernelSize[0] * t.kernelSize[1] * t.filters * t.c, seed + 1);
  const bias = t.useBias ? randomArray(t.filters, seed + 2) : null;
  const layer = layerOf(t, kernel, bias), input = new ck.Tensor(x, [t.n, t.h, t.w, t.c]);
  const oh = kerasLength(t.h, t.kernelSize[0], t.strides[0], t.padding, t.outputPadding?.[0] ?? null, 0);
  const ow = kerasLength(t.w, t.kernelSize[1], t.strides[1], t.padding, t.outputPadding?.[1] ?? null, 1);
  const expected = conv2dTransposeRef(x, kernel, bias, geometry(t, oh, ow), t.activation);
  // Each output: c-term dot products (the GEMM), then at most kh * kw of them and the bias added.
  const k = t.c + t.kernelSize[0] * t.kernelSize[1] + 1;
  forEachIsa((isa) => {
    let first: Float32Array | null = null;
    forEachThreadCount((threads) => {
      const y = layer.forward(input);
      expect(y.shape).to.deep.equal([t.n, oh, ow, t.filters]);
      expectClose(y.data, expected, k, `${describeCase(t)} [${isa}, ${threads} threads]`);
      if (first) expectExact(y.data, first, `${isa}: 2 threads give 1 thread's bits`);
      first = y.data;
    });
  });
}

const BLOCK_CASES: Case[] = [
  // The benchmark's shape: 2x2 stride 2, 64 -> 32 channels (past a GEMM panel and K block).
  { n: 1, h: 28, w: 28, c: 64, filters: 32, kernelSize: [2, 2], strides: [2, 2], padding: 'valid', outputPadding: null, useBias: true, activation: 'relu' },
  // K (input channels) past the K block of 256; columns past one chunk.
  { n: 2, h: 5, w: 7, c: 300, filters: 17, kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0], useBias: true, activation: 'linear' },
  { n: 1, h: 23, w: 21, c: 9, filters: 70, kernelSize: [5, 4], strides: [1, 3], padding: 'same', outputPadding: null, useBias: false, activation: 'softmax' },
];

forEachBackend('Conv2DTranspose against the float64 reference', () => {
  cases(60, 4242).forEach((t, i) => it(describeCase(t), () => check(t, 100 + 3 * i)));
  BLOCK_CASES.forEach((t, i) => it(`past the blocking sizes: ${describeCase(t)}`, () => check(t, 900 + i)));

  it('forwardAsync and a Sequential give forward\'s bits', async () => {
    const t = BLOCK_CASES[1];
    const kernel = randomArray(3 * 3 * 17 * 300, 5), x = new ck.Tensor(randomArray(2 * 5 * 7 * 300, 6), [2, 5, 7, 300]);
    const layer = layerOf({ ...t, activation: 'tanh' }, kernel, randomArray(17, 7));
    const y = layer.forward(x);
    expectExact((await layer.forwardAsync(x)).data, y.data, 'forwardAsync');
    const up = new ck.UpSampling2D({ size: 2 });
    const model = new ck.Sequential([layer, up]);
    expectExact(model.forward(x).data, up.forward(y).data, 'Sequential');
    expectExact((await model.forwardAsync(x)).data, up.forward(y).data, 'Sequential async');
  });

  it('gradients equal the float64 oracle and central finite differences', async () => {
    const r = rng(77);
    for (const t of cases(10, 31).map((c) => ({ ...c, activation: 'linear' as const }))) {
      const x = randomArray(t.n * t.h * t.w * t.c, randomInt(r, 1, 1e6)), kernel = randomArray(t.kernelSize[0] * t.kernelSize[1] * t.filters * t.c, 3);
      const bias = t.useBias ? randomArray(t.filters, 4) : null;
      const layer = layerOf(t, kernel, bias), input = new ck.Tensor(x, [t.n, t.h, t.w, t.c]);
      const shape = layer.outputShape(input.shape), dy = randomArray(shape.reduce((a, b) => a * b, 1), 5);
      const grads = layer.backward(input, new ck.Tensor(dy, shape));
      const ref = conv2dTransposeGradRef(x, kernel, geometry(t, shape[1], shape[2]), dy);
      const label = describeCase(t);
      expectClose(grads.dx.data, ref.dx, t.filters * t.kernelSize[0] * t.kernelSize[1], `${label} dx`);
      expectClose(grads.kernel!, ref.kernel, t.n * t.h * t.w, `${label} dW`);
      if (bias) expectClose(grads.bias!, ref.bias, shape[0] * shape[1] * shape[2], `${label} db`);
      const again = await layer.backwardAsync(input, new ck.Tensor(dy, shape));
      expectExact(again.dx.data, grads.dx.data, `${label} async dx`);
      expectExact(again.kernel!, grads.kernel!, `${label} async dW`);
      // Finite differences on the small ones (each costs two oracle forwards per element).
      if (t.n * t.h * t.w * t.c > 120 || kernel.length > 400) continue;
      const geo = geometry(t, shape[1], shape[2]);
      const loss = () => dot(dy, conv2dTransposeRef(x, kernel, bias, geo, 'linear').data);
      expectNear(grads.dx.data, finiteDifferences(x, loss), `${label} dx (finite differences)`);
      expectNear(grads.kernel!, finiteDifferences(kernel, loss), `${label} dW (finite differences)`);
    }
  });

  it('gradients through an activation recompute the forward in the same call (1 and 2 threads: the same bits)', () => {
    const t: Case = { n: 2, h: 6, w: 5, c: 20, filters: 33, kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputPadding: null, useBias: true, activation: 'sigmoid' };
    const layer = layerOf(t, randomArray(9 * 33 * 20, 1), randomArray(33, 2)), x = new ck.Tensor(randomArray(2 * 6 * 5 * 20, 3), [2, 6, 5, 20]);
    const shape = layer.outputShape(x.shape), dy = new ck.Tensor(randomArray(shape.reduce((a, b) => a * b, 1), 4), shape);
    const runs: ck.Gradients[] = [];
    forEachThreadCount(() => runs.push(layer.backward(x, dy)));
    expectExact(runs[1].dx.data, runs[0].dx.data, 'dx');
    expectExact(runs[1].kernel!, runs[0].kernel!, 'dW');
    expectExact(runs[1].bias!, runs[0].bias!, 'db');
  });
});

describe('Conv2DTranspose options', () => {
  it('names the option it refuses', () => {
    expect(() => new ck.Conv2DTranspose({ filters: -3, kernelSize: 2 })).to.throw(RangeError, /filters but received -3/);
    expect(() => new ck.Conv2DTranspose({ filters: 3, kernelSize: 2, strides: 2, outputPadding: 2 })).to.throw(RangeError, /outputPadding\[0\]/);
    expect(() => new ck.Conv2DTranspose({ filters: 3, kernelSize: 2, dilationRate: 2 })).to.throw(RangeError, /dilationRate/);
    expect(() => new ck.Conv2DTranspose({ filters: 3, kernelSize: 2, padding: 'full' as never })).to.throw(/padding/);
  });
  it('keeps the kernel in Keras\'s [kh, kw, filters, inChannels] layout through packing', () => {
    const kernel = randomArray(2 * 3 * 4 * 5, 9);
    const layer = new ck.Conv2DTranspose({ filters: 4, kernelSize: [2, 3], kernel });
    layer.forward(new ck.Tensor(randomArray(1 * 3 * 3 * 5, 1), [1, 3, 3, 5]));
    expectExact(layer.getWeights().kernel!, kernel, 'getWeights after a forward');
  });
});
