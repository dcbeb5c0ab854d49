// Property-based tests (fast-check) over the public API, on every backend:
// 1. random valid configurations of Conv2D, MaxPool2D, Dense and gemm equal the float64 oracle
//    (suite/reference.ts), with inputs in plain, offset, shared and resizable buffers, and
//    forwardAsync / gemmAsync equal forward / gemm bit for bit;
// 2. invalid input always ends in a TypeError or RangeError whose message names the bad value,
//    and the async entry points reject (never throw synchronously) with the same error.
// The seed is printed once; CONVKIT_PROPERTY_SEED=<seed> replays a run. A failure prints
// fast-check's shrunk counterexample.
import { expect } from 'chai';
import fc, { type Arbitrary } from 'fast-check';
import * as ck from '../lib/index';
import { product, resolveWindow } from '../lib/shape';
import {
  type Bad, badActivation, badBoolean, badFinite, badFloat32, badInteger, badPadding, badPair, badShape, brokenTensor,
  buildOptions, defined, detachedArray, expectRejectsLike, expectThrowsNamed, materialize, notFloat32, notTensor,
  type OptionCase, optionCase, paddingOption, pairOption, place, storageArb,
} from './helpers/arbitraries';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { everyWindowReal, outputFits } from './helpers/configs';
import { randomArray } from './helpers/random';
import { conv2dRef, denseRef, gemmRef, maxpool2dRef, type RefResult } from '../suite/reference';

function propertySeed(): number {
  const env = process.env.CONVKIT_PROPERTY_SEED;
  if (env === undefined || env.trim() === '') return Date.now() % 2 ** 31;
  const seed = Number(env);
  if (!Number.isSafeInteger(seed)) throw new Error(`CONVKIT_PROPERTY_SEED must be an integer but is '${env}'`);
  return seed;
}

const seed = propertySeed();
/** Runs per property: the oracle ones compute, the error ones only validate. */
const ORACLE_RUNS = 1000;
const ERROR_RUNS = 2000;

/** Optional options are left out as undefined or null at times: both mean the default. */
const activationArb = fc.constantFrom(undefined, null, 'linear' as const, 'relu' as const, 'sigmoid' as const, 'tanh' as const, 'softmax' as const);
const maybeBool = fc.constantFrom(undefined, null, false, true);

/** The same floats, bit for bit (NaN payloads and the sign of zero included). */
function expectSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, `${label} length`).to.equal(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${label} element ${i}: ${actual[i]} (0x${a[i].toString(16)}) != ${expected[i]} (0x${e[i].toString(16)})`);
  }
}

/**
 * Runs a valid call and checks it against the oracle: the output shape, the values (within the
 * float32 error bound for a reduction of length k, or exactly when k is 'exact'), the inputs left
 * unchanged, and, when asked, the async call's output bit for bit equal to the sync one.
 */
async function expectOracle(
  call: { sync: () => ck.Tensor; async: () => Promise<ck.Tensor> }, inputs: Float32Array[], expected: RefResult,
  k: number | 'exact', alsoAsync: boolean,
): Promise<void> {
  const before = inputs.map((a) => a.slice());
  const y = call.sync();
  expect(y).to.be.instanceOf(ck.Tensor);
  expect(y.shape).to.deep.equal(expected.shape);
  if (k === 'exact') expectExact(y.data, expected.data, 'forward');
  else expectClose(y.data, expected, k, 'forward');
  inputs.forEach((a, i) => expectSameBits(a, before[i], `input ${i} after the call`));
  if (alsoAsync) {
    const ya = await call.async();
    expect(ya.shape).to.deep.equal(y.shape);
    expectSameBits(ya.data, y.data, 'async against sync');
  }
}

/** The call throws a RangeError naming `name` and its async form rejects with the same error. */
async function expectRefused(call: { sync: () => unknown; async: () => unknown }, name: string): Promise<void> {
  const error = expectThrowsNamed(call.sync, { name, type: RangeError });
  await expectRejectsLike(call.async, error);
}

function layerCall(layer: ck.Layer, x: ck.Tensor) {
  return { sync: () => layer.forward(x), async: () => layer.forwardAsync(x) };
}

/** Runs an async property; at least `minShare` of its runs must have taken the valid branch. */
async function assertMostlyValid<T>(arb: Arbitrary<T>, body: (v: T) => Promise<boolean>, minShare: number): Promise<void> {
  let valid = 0, total = 0;
  await fc.assert(fc.asyncProperty(arb, async (v) => {
    total++;
    if (await body(v)) valid++;
  }), { seed, numRuns: ORACLE_RUNS });
  expect(valid, `runs with a valid configuration (of ${total})`).to.be.at.least(Math.ceil(total * minShare));
}

describe('properties (fast-check)', () => {
  before(() => console.log(`      fast-check seed: ${seed} (set CONVKIT_PROPERTY_SEED to replay)`));

  forEachBackend('valid configurations equal the float64 oracle', () => {
    it('Conv2D: filters, kernelSize, strides, padding, dilationRate, activation, useBias, kernel, bias', async () => {
      const arb = fc.record({
        n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }),
        c: fc.integer({ min: 1, max: 5 }), filters: fc.integer({ min: 1, max: 20 }),
        kernelSize: pairOption(1, 4), strides: pairOption(1, 3, 1), dilationRate: pairOption(1, 2, 1), padding: paddingOption(3),
        activation: activationArb, useBias: maybeBool, giveBias: fc.boolean(),
        storage: storageArb, data: fc.nat(), alsoAsync: fc.boolean(),
      });
      await assertMostlyValid(arb, async (g) => {
        const shape = [g.n, g.h, g.w, g.c], [kh, kw] = g.kernelSize.value;
        const x = place(randomArray(product(shape), g.data), g.storage);
        const kernel = place(randomArray(kh * kw * g.c * g.filters, g.data + 1), g.storage);
        const bias = (g.useBias ?? true) && g.giveBias ? place(randomArray(g.filters, g.data + 2), g.storage) : undefined;
        const layer = new ck.Conv2D(defined<ck.Conv2DOptions>({
          filters: g.filters, kernelSize: g.kernelSize.option, strides: g.strides.option, padding: g.padding,
          dilationRate: g.dilationRate.option, activation: g.activation, useBias: g.useBias, kernel, bias,
        }));
        const win = resolveWindow([kh, kw], g.strides.value, g.dilationRate.value, g.padding ?? 'valid', g.h, g.w);
        const call = layerCall(layer, new ck.Tensor(x, shape));
        if (!outputFits(g.h, g.w, win)) {
          await expectRefused(call, 'Conv2D output');
          return false;
        }
        const expected = conv2dRef(x, shape, kernel, g.filters, win, bias ?? null, g.activation ?? 'linear');
        expect(layer.outputShape(shape)).to.deep.equal(expected.shape);
        await expectOracle(call, [x], expected, kh * kw * g.c, g.alsoAsync);
        return true;
      }, 0.5);
    });

    it('MaxPool2D: poolSize, strides, padding, dilationRate, NaN and infinities in the input', async () => {
      const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, 3.4e38, -3.4e38);
      const arb = fc.record({
        n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 10 }), w: fc.integer({ min: 1, max: 10 }), c: fc.integer({ min: 1, max: 20 }),
        poolSize: pairOption(1, 4, 2), strides: fc.option(pairOption(1, 3), { nil: undefined }), dilationRate: pairOption(1, 3, 1),
        padding: paddingOption(2), specials: fc.array(fc.tuple(fc.nat(), special), { maxLength: 4 }),
        noOptions: fc.boolean(), storage: storageArb, data: fc.nat(), alsoAsync: fc.boolean(),
      });
      await assertMostlyValid(arb, async (g) => {
        const shape = [g.n, g.h, g.w, g.c];
        const values = randomArray(product(shape), g.data);
        for (const [i, v] of g.specials) values[i % values.length] = v;
        const x = place(values, g.storage);
        const opts = defined<ck.MaxPool2DOptions>({ poolSize: g.poolSize.option, strides: g.strides?.option, padding: g.padding, dilationRate: g.dilationRate.option });
        const layer = g.noOptions && Object.keys(opts).length === 0 ? new ck.MaxPool2D() : new ck.MaxPool2D(opts);
        const win = resolveWindow(g.poolSize.value, g.strides?.value ?? g.poolSize.value, g.dilationRate.value, g.padding ?? 'valid', g.h, g.w);
        const call = layerCall(layer, new ck.Tensor(x, shape));
        if (!outputFits(g.h, g.w, win)) {
          await expectRefused(call, 'MaxPool2D output');
          return false;
        }
        if (!everyWindowReal(g.h, g.w, win)) {
          // A window over padding alone has no max: docs/api.md promises a RangeError.
          await expectRefused(call, 'every MaxPool2D window');
          return false;
        }
        const expected = maxpool2dRef(x, shape, win);
        expect(layer.outputShape(shape)).to.deep.equal(expected.shape);
        await expectOracle(call, [x], expected, 'exact', g.alsoAsync);
        return true;
      }, 0.3);
    });

    it('Dense: units, inputs of rank 2 to 4, activation, useBias, kernel, bias, seed', async () => {
      const arb = fc.record({
        n: fc.integer({ min: 1, max: 4 }), features: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        units: fc.integer({ min: 1, max: 20 }), activation: activationArb, useBias: maybeBool,
        giveBias: fc.boolean(), seed: fc.constantFrom(undefined, null, 0, -0, 7), storage: storageArb, data: fc.nat(), alsoAsync: fc.boolean(),
      });
      await assertMostlyValid(arb, async (g) => {
        const shape = [g.n, ...g.features], k = product(g.features);
        const x = place(randomArray(g.n * k, g.data), g.storage);
        const kernel = place(randomArray(k * g.units, g.data + 1), g.storage);
        const bias = (g.useBias ?? true) && g.giveBias ? place(randomArray(g.units, g.data + 2), g.storage) : undefined;
        const layer = new ck.Dense(defined<ck.DenseOptions>({ units: g.units, activation: g.activation, useBias: g.useBias, kernel, bias, seed: g.seed }));
        const expected = denseRef(x, g.n, k, kernel, g.units, bias ?? null, g.activation ?? 'linear');
        expect(layer.outputShape(shape)).to.deep.equal(expected.shape);
        await expectOracle(layerCall(layer, new ck.Tensor(x, shape)), [x], expected, k, g.alsoAsync);
        return true;
      }, 1);
    });

    it('gemm: transA, transB, alpha, beta, c broadcast from [], [1], [n], [1, n], [m, 1], [m, n], activation', async () => {
      const scale = fc.oneof(fc.constantFrom(undefined, null), fc.double({ min: -3, max: 3, noNaN: true }));
      const arb = fc.record({
        m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 40 }),
        transA: maybeBool, transB: maybeBool, alpha: scale, beta: scale,
        c: fc.constantFrom('none', '[]', '[1]', '[n]', '[1, n]', '[m, 1]', '[m, n]'), activation: activationArb,
        noOptions: fc.boolean(), storage: storageArb, data: fc.nat(), alsoAsync: fc.boolean(),
      });
      await assertMostlyValid(arb, async (g) => {
        const { m, n, k } = g;
        const a = place(randomArray(m * k, g.data), g.storage), b = place(randomArray(k * n, g.data + 1), g.storage);
        const cShapes: Record<string, number[] | null> = { none: null, '[]': [], '[1]': [1], '[n]': [n], '[1, n]': [1, n], '[m, 1]': [m, 1], '[m, n]': [m, n] };
        const cShape = cShapes[g.c];
        const cRows = cShape && cShape.length === 2 ? cShape[0] : 1, cCols = cShape && cShape.length > 0 ? cShape[cShape.length - 1] : 1;
        const c = cShape ? place(randomArray(product(cShape), g.data + 2), g.storage) : undefined;
        const opts = defined<ck.GemmOptions>({
          transA: g.transA, transB: g.transB, alpha: g.alpha, beta: g.beta, activation: g.activation, c: c && cShape ? new ck.Tensor(c, cShape) : undefined,
        });
        const ta = new ck.Tensor(a, g.transA ? [k, m] : [m, k]), tb = new ck.Tensor(b, g.transB ? [n, k] : [k, n]);
        const bare = g.noOptions && Object.keys(opts).length === 0;
        const expected = gemmRef(a, b, m, n, k, {
          transA: g.transA ?? false, transB: g.transB ?? false, alpha: g.alpha ?? 1, beta: g.beta ?? 1, c, cRows, cCols, activation: g.activation ?? 'linear',
        });
        const call = { sync: () => (bare ? ck.gemm(ta, tb) : ck.gemm(ta, tb, opts)), async: () => (bare ? ck.gemmAsync(ta, tb) : ck.gemmAsync(ta, tb, opts)) };
        await expectOracle(call, c ? [a, b, c] : [a, b], expected, k, g.alsoAsync);
        return true;
      }, 1);
    });
  });

  forEachBackend('invalid input ends in a TypeError or RangeError naming the bad value', () => {
    /** Every case: `make` throws a TypeError or RangeError naming the bad option. */
    function checkOptions(cases: Arbitrary<OptionCase>, base: Record<string, unknown>, make: (opts: unknown) => unknown): void {
      fc.assert(fc.property(cases, (c) => {
        expectThrowsNamed(() => make(buildOptions(base, c)), c.bad);
      }), { seed, numRuns: ERROR_RUNS });
    }
    const refusedBias = (units: number) => fc.constant<OptionCase>({
      key: 'bias', via: 'value', bad: { value: new Float32Array(units), name: 'bias', type: TypeError }, extra: { useBias: false },
    });

    it('Conv2D options, each bad value, throwing getter or Proxy trap', () => {
      const cases = optionCase({
        filters: badInteger('filters', 1, true), kernelSize: badPair('kernelSize', true), strides: badPair('strides'),
        padding: badPadding('padding'), dilationRate: badPair('dilationRate'), activation: badActivation('activation'),
        useBias: badBoolean('useBias'), kernel: badFloat32('kernel', (n) => n > 0 && n % 12 === 0),
        bias: badFloat32('bias', (n) => n === 3, true), seed: badInteger('seed', 0),
      }, 'Conv2D options', false, [refusedBias(3)]);
      checkOptions(cases, { filters: 3, kernelSize: 2 }, (o) => new ck.Conv2D(o as ck.Conv2DOptions));
    });

    it('MaxPool2D options', () => {
      const cases = optionCase({
        poolSize: badPair('poolSize'), strides: badPair('strides'), padding: badPadding('padding'), dilationRate: badPair('dilationRate'),
      }, 'MaxPool2D options', true);
      checkOptions(cases, {}, (o) => new ck.MaxPool2D(o as ck.MaxPool2DOptions));
    });

    it('Dense options', () => {
      const cases = optionCase({
        units: badInteger('units', 1, true), activation: badActivation('activation'), useBias: badBoolean('useBias'),
        kernel: badFloat32('kernel', (n) => n > 0 && n % 3 === 0), bias: badFloat32('bias', (n) => n === 3, true), seed: badInteger('seed', 0),
      }, 'Dense options', false, [refusedBias(3)]);
      checkOptions(cases, { units: 3 }, (o) => new ck.Dense(o as ck.DenseOptions));
    });

    it('gemm arguments and options: gemm throws, gemmAsync rejects with the same error', async () => {
      const m = 2, n = 4;
      const broadcasts = (s: number[]) => s.length <= 2 && (s.length < 2 || s[0] === 1 || s[0] === m) && (s.length < 1 || s[s.length - 1] === 1 || s[s.length - 1] === n);
      const cTensor = fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }).filter((s) => !broadcasts(s)).map((s) => new ck.Tensor(new Float32Array(product(s)), s));
      const matrix = (name: string, shape: number[]): Arbitrary<Bad> => fc.oneof(
        notTensor().map((value) => ({ value, name, type: TypeError })),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 }).filter((s) => s.length !== 2)
          .map((s) => ({ value: new ck.Tensor(new Float32Array(product(s)), s), name, type: RangeError })),
        brokenTensor(shape).map((value) => ({ value, name: 'data', type: RangeError })),
      );
      const options = optionCase({
        transA: badBoolean('transA'), transB: badBoolean('transB'), alpha: badFinite('alpha'), beta: badFinite('beta'),
        activation: badActivation('activation'),
        c: fc.oneof(
          notTensor(true).map((value) => ({ value, name: 'c', type: TypeError })),
          cTensor.map((value) => ({ value, name: 'c', type: RangeError })),
          brokenTensor([m, n]).map((value) => ({ value, name: 'data', type: RangeError })),
        ),
      }, 'gemm options', true);
      const arb = fc.oneof(
        matrix('a', [m, 3]).map((bad) => ({ which: 'a' as const, bad })),
        matrix('b', [3, n]).map((bad) => ({ which: 'b' as const, bad })),
        options.map((c) => ({ which: 'options' as const, c, bad: c.bad })),
      );
      await fc.assert(fc.asyncProperty(arb, async (g) => {
        const args: unknown[] = [new ck.Tensor(new Float32Array(m * 3), [m, 3]), new ck.Tensor(new Float32Array(3 * n), [3, n]), undefined];
        if (g.which === 'options') args[2] = buildOptions({}, g.c);
        else args[g.which === 'a' ? 0 : 1] = materialize(g.bad.value);
        const call = (f: (...a: unknown[]) => unknown) => () => f(...args);
        const error = expectThrowsNamed(call(ck.gemm as (...a: unknown[]) => unknown), g.bad);
        await expectRejectsLike(call(ck.gemmAsync as (...a: unknown[]) => unknown), error);
      }), { seed, numRuns: ERROR_RUNS });
    });

    it('Tensor constructor and reshape: data of the wrong kind or length, bad shapes, more than 2^53 - 1 elements', () => {
      const arb = fc.oneof(
        notFloat32(6).map((data) => ({ data, shape: [2, 3] as unknown, bad: { name: 'data', type: TypeError } })),
        fc.integer({ min: 1, max: 9 }).map((size) => ({ data: detachedArray(size), shape: [size] as unknown, bad: { name: 'data', type: RangeError } })),
        fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }), fc.integer({ min: 1, max: 5 }))
          .map(([shape, extra]) => ({ data: new Float32Array(product(shape) + extra) as unknown, shape: shape as unknown, bad: { name: 'data', type: RangeError } })),
        fc.integer({ min: 1, max: 5 }).chain((rank) => badShape('shape', rank)).map((b) => ({ data: new Float32Array(6) as unknown, shape: b.value, bad: b })),
      );
      fc.assert(fc.property(arb, (g) => {
        const data = materialize(g.data), shape = materialize(g.shape) as number[];
        expectThrowsNamed(() => new ck.Tensor(data as Float32Array, shape), g.bad as Bad);
        if (ArrayBuffer.isView(data) && data instanceof Float32Array && data.length > 0) {
          const t = new ck.Tensor(data, [data.length]);
          expectThrowsNamed(() => t.reshape(shape), g.bad as Bad);
        }
      }), { seed, numRuns: ERROR_RUNS });
    });

    const layers: Record<string, () => ck.Layer> = {
      Conv2D: () => new ck.Conv2D({ filters: 3, kernelSize: 2, kernel: new Float32Array(2 * 2 * 2 * 3) }),
      MaxPool2D: () => new ck.MaxPool2D(),
      Dense: () => new ck.Dense({ units: 3, kernel: new Float32Array(8 * 3) }),
    };
    const layerName = fc.constantFrom(...Object.keys(layers));
    /** Shapes a layer refuses whatever its data: the wrong rank, or (given `depth`) channels or features that disagree with its kernel. */
    const refusedShapes = (name: string, rankName: string, depthName: string): Arbitrary<Bad> => {
      const rank = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }).filter((s) => (name === 'Dense' ? s.length < 2 : s.length !== 4));
      const depth = fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 4, maxLength: 4 }).filter((s) => (name === 'Conv2D' ? s[3] !== 2 : product(s.slice(1)) !== 8));
      const both = [rank.map((value) => ({ value, name: rankName, type: RangeError }))];
      if (name !== 'MaxPool2D') both.push(depth.map((value) => ({ value, name: depthName, type: RangeError })));
      return fc.oneof(...both);
    };
    const asTensor = (b: Bad): Bad => ({ ...b, value: new ck.Tensor(new Float32Array(product(b.value as number[])), b.value as number[]) });

    it('outputShape: bad input shapes, products over 2^53 - 1, the wrong rank or depth', () => {
      const arb = layerName.chain((name) => fc.oneof(badShape('inputShape', 4), refusedShapes(name, `${name} input shape`, 'input')).map((bad) => ({ name, bad })));
      fc.assert(fc.property(arb, ({ name, bad }) => {
        expectThrowsNamed(() => layers[name]().outputShape(materialize(bad.value) as number[]), bad);
      }), { seed, numRuns: ERROR_RUNS });
    });

    it('outputShape takes 2^53 - 1 elements and refuses 2^53', () => {
      const dense = new ck.Dense({ units: 5 });
      expect(dense.outputShape([6361, 69431, 20394401])).to.deep.equal([6361, 5]);
      expectThrowsNamed(() => dense.outputShape([2 ** 23, 2 ** 30]), { name: 'inputShape', type: RangeError });
      expectThrowsNamed(() => new ck.Tensor(new Float32Array(1), [2 ** 23, 2 ** 30]), { name: 'shape', type: RangeError });
    });

    it('forward and forwardAsync: not a Tensor, wrong rank or depth, detached or resized buffers', async () => {
      const good: Record<string, number[]> = { Conv2D: [1, 3, 3, 2], MaxPool2D: [1, 3, 3, 2], Dense: [1, 2, 2, 2] };
      const input = (name: string): Arbitrary<Bad> => fc.oneof(
        notTensor().map((value) => ({ value, name: `${name} input`, type: TypeError })),
        refusedShapes(name, `${name} input`, 'input').map(asTensor),
        brokenTensor(good[name]).map((value) => ({ value, name: 'data', type: RangeError })),
      );
      const arb = layerName.chain((name) => input(name).map((bad) => ({ name, bad })));
      await fc.assert(fc.asyncProperty(arb, async ({ name, bad }) => {
        const layer = layers[name](), x = materialize(bad.value) as ck.Tensor;
        const error = expectThrowsNamed(() => layer.forward(x), bad);
        await expectRejectsLike(() => layer.forwardAsync(x), error);
      }), { seed, numRuns: ERROR_RUNS });
    });
  });
});
