// Every activation name, forward and derivative, against a float64 oracle written from the
// definitions (helpers/activation-oracle.ts) and against tfjs-layers' activation of the same
// name on its cpu backend, on each backend, kernel build and thread count. A Dense with one input
// and kernel [1] hands the values to the activation unchanged (and dx = dy f'(z) exactly), so
// this tests the activation alone; relu6's clamp is checked on every convolution path too.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { activationNames } from '../lib/activation';
import { derivativeOracle, forwardOracle } from './helpers/activation-oracle';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { randomArray, rng } from './helpers/random';
import { expectMatches, tf, tfjsReady, tfl } from './helpers/tfjs';

const ELEMENTWISE = activationNames.filter((a) => a !== 'softmax');
/** Whose derivative the kernels take at the pre-activation (kernels.json activationsFromInput). */
const FROM_INPUT = new Set(['swish', 'gelu', 'gelu_new', 'mish', 'hard_swish']);
/** tfjs-layers' names, where it has the function (it has no hard_swish, leaky_relu or exponential). */
const TFJS_NAME: Record<string, string> = { hard_sigmoid: 'hardSigmoid' };
const NOT_IN_TFJS = new Set(['hard_swish', 'leaky_relu', 'exponential']);
/** Kinks, where the derivative has two sides: left out of the derivative checks. */
const KINKS = [0, 6, -2.5, 2.5, -3, 3];
/** Relative error of the float64 computations on either side (wasm's erfc: 1e-10; the rest: a few double ulps). */
const F64_ERROR = 1e-9;

/** float32 values across the range (both signs, each binade), the specials, and many where the curves bend. */
function wideValues(): Float32Array {
  const r = rng(11);
  const out: number[] = [0, -0, Infinity, -Infinity, NaN, 2 ** -149, 3.4028234663852886e38, 6, -3, 3, 2.5, -2.5];
  for (let e = -149; e <= 127; e += 2) out.push((r() < 0.5 ? -1 : 1) * 2 ** e * (1 + r()));
  for (let i = 0; i < 1500; i++) out.push((r() - 0.5) * 60);
  return Float32Array.from(out);
}

/** |actual - e| within half an ulp of the result plus the float64 error (a hair more at ties). */
function expectRounded(actual: number, e: number, label: string): void {
  if (Number.isNaN(e)) {
    if (!Number.isNaN(actual)) expect.fail(`${label}: got ${actual}, expected NaN`);
    return;
  }
  if (actual === e) return;
  // Beyond float32's largest finite value (rounded), infinity.
  if (Math.abs(e) >= 3.4028235677973366e38 && actual === Math.sign(e) * Infinity) return;
  const tol = Math.abs(e) * (2 ** -24 + F64_ERROR) * (1 + 1e-6) + 2 ** -149;
  if (!(Math.abs(actual - e) <= tol)) expect.fail(`${label}: got ${actual}, exact ${e} (|diff| ${Math.abs(actual - e)}, tol ${tol})`);
}

function unitDense(activation: string): ck.Dense {
  return new ck.Dense({ units: 1, useBias: false, activation: activation as ck.ActivationName, kernel: new Float32Array([1]) });
}

/**
 * The derivative's error bound at z: the result's rounding, and where the kernel reads the float32
 * output y (not z), the change of f' over y's rounding: |f''(z) / f'(z)| * |y| * 2^-24 (f'' by a
 * central difference of the oracle).
 */
function derivativeTolerance(activation: string, z: number, dy: number): number {
  const d = derivativeOracle[activation], g = Math.abs(dy * d(z));
  let tol = g * (2 ** -24 + F64_ERROR) + 2 ** -149;
  if (!FROM_INPUT.has(activation) && d(z) !== 0) {
    const h = 1e-5 * Math.max(1, Math.abs(z)), second = (d(z + h) - d(z - h)) / (2 * h);
    tol += Math.abs(dy * second / d(z)) * Math.abs(forwardOracle[activation](z)) * 2 ** -23;
  }
  return tol * 1.01;
}

forEachBackend('activation names', () => {
  const values = wideValues();
  for (const activation of ELEMENTWISE) {
    it(`${activation}: forward of ${values.length} values across the float32 range`, () => {
      const layer = unitDense(activation), x = new ck.Tensor(values, [values.length, 1]), f = forwardOracle[activation];
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const y = layer.forward(x);
          values.forEach((v, i) => expectRounded(y.data[i], f(v), `${activation}(${v}) [${isa}, ${threads} threads]`));
        }),
      );
    });

    it(`${activation}: derivative within its derived bound of f'(z), off the kinks`, () => {
      const r = rng(activation.length * 31 + 7);
      const z = Float32Array.from({ length: 301 }, (_, i) => (i < 100 ? (r() - 0.5) * 8 : (r() - 0.5) * 50)).filter((v) => !KINKS.includes(v));
      const dy = Float32Array.from(z, () => r() * 2 - 1);
      const layer = unitDense(activation), d = derivativeOracle[activation];
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const dx = layer.backward(new ck.Tensor(z, [z.length, 1]), new ck.Tensor(dy, [z.length, 1])).dx.data;
          z.forEach((v, i) => {
            const e = dy[i] * d(v), tol = derivativeTolerance(activation, v, dy[i]);
            if (!(Math.abs(dx[i] - e) <= tol)) expect.fail(`${activation}'(${v}) * ${dy[i]} [${isa}, ${threads} threads]: got ${dx[i]}, exact ${e}, tol ${tol}`);
          });
        }),
      );
    });
  }

  it('every activation through a Dense: gradients against central finite differences', () => {
    const r = rng(3);
    for (const activation of ELEMENTWISE) {
      const m = 3, k = 5, n = 7;
      const kernel = randomArray(k * n, 40), bias = randomArray(n, 41), x = randomArray(m * k, 42), dy = randomArray(m * n, 43);
      const layer = new ck.Dense({ units: n, activation: activation as ck.ActivationName, kernel, bias });
      const f = forwardOracle[activation];
      const loss = () => {
        const y = new Float64Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = bias[j];
          for (let q = 0; q < k; q++) s += x[i * k + q] * kernel[q * n + j];
          y[i * n + j] = f(s);
        }
        return dot(dy, y);
      };
      const g = layer.backward(new ck.Tensor(x, [m, k]), new ck.Tensor(dy, [m, n]));
      expectNear(g.dx.data, finiteDifferences(x, loss), `${activation} dx`);
      expectNear(g.kernel!, finiteDifferences(kernel, loss), `${activation} dkernel`);
      expectNear(g.bias!, finiteDifferences(bias, loss), `${activation} dbias`);
      expect(r()).to.be.lessThan(1);
    }
  });

  it('backwardAsync gives the bits of backward, for the activations that rerun the forward', async () => {
    const x = new ck.Tensor(randomArray(4 * 9, 5), [4, 9]), dy = new ck.Tensor(randomArray(4 * 11, 6), [4, 11]);
    for (const activation of FROM_INPUT) {
      const layer = new ck.Dense({ units: 11, activation: activation as ck.ActivationName, seed: 3 });
      const a = layer.backward(x, dy), b = await layer.backwardAsync(x, dy);
      expect(Array.from(b.dx.data), activation).to.deep.equal(Array.from(a.dx.data));
      expect(Array.from(b.kernel!), activation).to.deep.equal(Array.from(a.kernel!));
    }
  });

  it('relu6 is the epilogue clamp of every convolution path, bit for bit, odd sizes and channels', () => {
    // [h, w, c, filters, kernel, strides]: GEMM on x (1x1), indirect / im2col, Winograd (3x3, >= 32 channels).
    const configs: [number, number, number, number, number, number][] = [[5, 7, 3, 17, 1, 1], [9, 6, 5, 19, 3, 2], [11, 9, 33, 35, 3, 1], [7, 7, 2, 3, 2, 1]];
    for (const [h, w, c, filters, ks, s] of configs) {
      const kernel = randomArray(ks * ks * c * filters, h).map((v) => v * 8), bias = randomArray(filters, w).map((v) => v * 4);
      const opts = { filters, kernelSize: ks, strides: s, kernel, bias };
      const linear = new ck.Conv2D({ ...opts, activation: 'linear' }), relu6 = new ck.Conv2D({ ...opts, activation: 'relu6' });
      const x = new ck.Tensor(randomArray(2 * h * w * c, c), [2, h, w, c]);
      forEachIsa((isa) =>
        forEachThreadCount((threads) => {
          const z = linear.forward(x).data, y = relu6.forward(x).data;
          const clamped = Array.from(z, (v) => Math.min(6, Math.max(0, v)));
          expect(Array.from(y), `${h}x${w}x${c} -> ${filters} [${isa}, ${threads} threads]`).to.deep.equal(clamped);
          expect(clamped.some((v) => v === 6) && clamped.some((v) => v === 0) && clamped.some((v) => v > 0 && v < 6)).to.equal(true);
        }),
      );
    }
  });

  it('aliases run as the function they name; an unknown name is refused naming the option', () => {
    const x = new ck.Tensor(Float32Array.from([-4, -1, 0.5, 2.7]), [4, 1]);
    for (const [alias, name] of [['silu', 'swish'], ['hard_silu', 'hard_swish'], ['hardSigmoid', 'hard_sigmoid']]) {
      const a = new ck.Dense({ units: 1, useBias: false, activation: alias as ck.ActivationName, kernel: new Float32Array([1]) });
      expect(a.activation).to.equal(name);
      expect(Array.from(a.forward(x).data)).to.deep.equal(Array.from(unitDense(name).forward(x).data));
    }
    expect(() => new ck.Conv2D({ filters: 1, kernelSize: 1, activation: 'gelu_fast' as ck.ActivationName })).to.throw(RangeError, /activation/);
  });
});

describe('activation names against tfjs-layers (cpu backend)', () => {
  before(tfjsReady);
  const z = Float32Array.from(randomArray(257, 9), (v, i) => v * (i < 128 ? 4 : 30));
  for (const activation of ELEMENTWISE.filter((a) => !NOT_IN_TFJS.has(a))) {
    it(`${activation}: forward and tf.grads`, async () => {
      const fn = tfl.layers.activation({ activation: (TFJS_NAME[activation] ?? activation) as 'relu' });
      const t = tf.tensor2d(z, [z.length, 1]);
      const expected = (fn.apply(t) as tf.Tensor).dataSync() as Float32Array;
      const dExpected = tf.grads((v: tf.Tensor) => fn.apply(v) as tf.Tensor)([t])[0].dataSync() as Float32Array;
      const layer = unitDense(activation);
      expectMatches(layer.forward(new ck.Tensor(z, [z.length, 1])).data, expected, activation, 2e-6);
      const dx = layer.backward(new ck.Tensor(z, [z.length, 1]), new ck.Tensor(new Float32Array(z.length).fill(1), [z.length, 1])).dx.data;
      expectMatches(dx, dExpected, `${activation}'`, 2e-6);
    });
  }
});
