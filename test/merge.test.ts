// The merge layers (Add, Subtract, Multiply, Maximum, Minimum, Average, Concatenate) against a
// float64 oracle. Each step of an elementwise merge of float32 values is exact in float64 (a sum,
// difference or product of two float32 values fits its 53 bits; a quotient rounded to float64
// then to float32 is the correctly rounded one, 53 >= 2 * 24 + 2), so the oracle rounds once per
// step, as Keras folds its inputs, and the results must match bit for bit; concatenation moves
// floats only. Gradients: central finite differences of the float64 oracle.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { PLAN } from '../lib/generated/kernels';
import { backend } from '../lib/backends/select';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachIsa, forEachThreadCount } from './helpers/backends';
import { dot, expectNear, finiteDifferences } from './helpers/finite-differences';
import { pick, randomArray, randomInt, rng } from './helpers/random';

type Mode = 'add' | 'subtract' | 'multiply' | 'maximum' | 'minimum' | 'average';
const LAYERS: Record<Mode, () => ck.MultiInputLayer> = {
  add: () => new ck.Add(), subtract: () => new ck.Subtract(), multiply: () => new ck.Multiply(),
  maximum: () => new ck.Maximum(), minimum: () => new ck.Minimum(), average: () => new ck.Average(),
};
const MODES = Object.keys(LAYERS) as Mode[];

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The broadcast of shapes of one rank (each axis equal or 1). */
const broadcast = (shapes: number[][]) => shapes[0].map((_, k) => Math.max(...shapes.map((s) => s[k])));

/** x's float at output index i of shape y (x spreads along its size-1 axes). */
function at(x: ArrayLike<number>, xs: readonly number[], y: readonly number[], i: number): number {
  let off = 0, stride = 1;
  for (let k = y.length - 1; k >= 0; k--) {
    const c = i % y[k];
    i = Math.floor(i / y[k]);
    if (xs[k] !== 1) off += c * stride;
    stride *= xs[k];
  }
  return x[off];
}

/** The float64 fold of Keras (one float32 rounding per step), unrounded at the end when `raw`. */
function mergeRef(mode: Mode, xs: ArrayLike<number>[], shapes: number[][], raw = false): Float64Array {
  const y = broadcast(shapes), out = new Float64Array(size(y));
  const op = (a: number, b: number) => {
    if (mode === 'subtract') return a - b;
    if (mode === 'multiply') return a * b;
    if (mode === 'maximum') return a > b || a !== a ? a : b;
    if (mode === 'minimum') return a < b || a !== a ? a : b;
    return a + b;
  };
  const round = raw ? (v: number) => v : Math.fround;
  for (let i = 0; i < out.length; i++) {
    let v = at(xs[0], shapes[0], y, i);
    for (let j = 1; j < xs.length; j++) v = round(op(v, at(xs[j], shapes[j], y, i)));
    out[i] = mode === 'average' ? round(v / xs.length) : v;
  }
  return out;
}

/** Input shapes of one rank that broadcast: odd sizes, and axes of size 1 in some inputs. */
function randomShapes(r: () => number, count: number): number[][] {
  const rank = randomInt(r, 2, 4);
  const full = Array.from({ length: rank }, (_, k) => (k === rank - 1 ? pick(r, [1, 3, 5, 8, 17, 33, 40]) : randomInt(r, 1, 7)));
  const gate = full.map((d, k) => (k === 0 || k === rank - 1 ? d : 1)); // [N, 1, 1, C]
  return Array.from({ length: count }, (_, j) => {
    if (j === 0 || r() < 0.4) return [...full];
    return r() < 0.5 ? gate : full.map((d) => (r() < 0.35 ? 1 : d));
  });
}

const tensors = (xs: Float32Array[], shapes: number[][]) => xs.map((x, i) => new ck.Tensor(x, shapes[i]));

forEachBackend('merge layers against the float64 oracle', () => {
  for (let seed = 1; seed <= 36; seed++) {
    const r = rng(seed), mode = MODES[seed % MODES.length];
    const shapes = randomShapes(r, mode === 'subtract' ? 2 : randomInt(r, 2, 4));
    it(`${mode} of ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')}: the same bits on every ISA and thread count`, async () => {
      const xs = shapes.map((s, i) => randomArray(size(s), seed * 10 + i));
      const expected = mergeRef(mode, xs, shapes);
      const layer = LAYERS[mode]();
      expect(layer.outputShape(shapes)).to.deep.equal(broadcast(shapes));
      forEachIsa((isa) => forEachThreadCount((threads) => {
        expectExact(layer.forward(tensors(xs, shapes)).data, expected, `${mode} [${isa}, ${threads} threads]`);
      }));
      const y = await layer.forwardAsync(tensors(xs, shapes));
      expect(y.shape).to.deep.equal(broadcast(shapes));
      expectExact(y.data, expected, `${mode} async`);
    });
  }

  it('NaN in either input of maximum or minimum gives NaN; ties and infinities as the oracle', () => {
    const a = new Float32Array([NaN, 1, NaN, 2, -Infinity, 0, 3, 5, 7]), b = new Float32Array([1, NaN, NaN, 2, 4, -0, Infinity, 5, 6]);
    for (const mode of ['maximum', 'minimum'] as const) {
      const expected = mergeRef(mode, [a, b], [[9], [9]].map((s) => [1, ...s]));
      forEachIsa(() => expectExact(LAYERS[mode]().forward(tensors([a, b], [[1, 9], [1, 9]])).data, expected, mode));
    }
  });

  it('a squeeze-and-excite gate [3, 1, 1, 96] over [3, 56, 56, 96] split across threads: the same bits', () => {
    const shapes = [[3, 56, 56, 96], [3, 1, 1, 96]];
    expect(3 * size(shapes[0])).to.be.above(Math.max(PLAN.parallelReads.native, PLAN.parallelReads.wasm));
    const xs = shapes.map((s, i) => randomArray(size(s), 70 + i));
    const expected = mergeRef('multiply', xs, shapes);
    forEachIsa((isa) => forEachThreadCount((threads) => {
      expectExact(new ck.Multiply().forward(tensors(xs, shapes)).data, expected, `[${isa}, ${threads} threads]`);
    }));
  });

  for (const [axis, shapes] of [[-1, [[2, 5, 3, 7], [2, 5, 3, 1], [2, 5, 3, 18]]], [1, [[3, 2, 4], [3, 5, 4]]], [0, [[1, 3], [2, 3]]], [2, [[2, 3, 4, 5], [2, 3, 1, 5]]]] as [number, number[][]][]) {
    it(`Concatenate axis ${axis} of ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}: floats moved as the oracle, and the backward splits dy`, async () => {
      const xs = shapes.map((s, i) => randomArray(size(s), 90 + i));
      const k = axis < 0 ? shapes[0].length + axis : axis;
      const outShape = shapes[0].map((d, j) => (j === k ? shapes.reduce((s, x) => s + x[j], 0) : d));
      // The oracle: each output row (the axes before k) is the inputs' rows one after another.
      const rows = size(shapes[0].slice(0, k)), expected: number[] = [];
      for (let row = 0; row < rows; row++) xs.forEach((x, i) => { const c = size(shapes[i].slice(k)); expected.push(...x.subarray(row * c, (row + 1) * c)); });
      const layer = new ck.Concatenate({ axis });
      expect(layer.outputShape(shapes)).to.deep.equal(outShape);
      forEachThreadCount((t) => expectExact(layer.forward(tensors(xs, shapes)).data, expected, `${t} threads`));
      expectExact((await layer.forwardAsync(tensors(xs, shapes))).data, expected, 'async');
      const dy = new ck.Tensor(randomArray(size(outShape), 5), outShape);
      const { dx } = layer.backward(tensors(xs, shapes), dy);
      const back = (await layer.backwardAsync(tensors(xs, shapes), dy)).dx;
      const again: number[] = [];
      for (let row = 0; row < rows; row++) dx.forEach((d, i) => { const c = size(shapes[i].slice(k)); again.push(...d.data.subarray(row * c, (row + 1) * c)); });
      expectExact(new Float32Array(again), dy.data, 'dx rejoined');
      dx.forEach((d, i) => expect(bits(back[i].data)).to.deep.equal(bits(d.data)));
    });
  }

  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(500 + seed), mode = MODES[seed % MODES.length];
    const shapes = randomShapes(r, mode === 'subtract' ? 2 : randomInt(r, 2, 3)).map((s) => s.map((d) => Math.min(d, 5)));
    it(`${mode} backward of ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')}: central differences; async and 2 threads give the same bits`, async () => {
      // Values on a grid of 2^-6 with each input on its own offset: no two inputs ever tie within a step of the differences.
      const xs = shapes.map((s, i) => Float32Array.from(randomArray(size(s), 700 + seed * 5 + i), (v) => Math.round(v * 64) / 64 + i / 256));
      const y = broadcast(shapes), dy = randomArray(size(y), seed);
      const layer = LAYERS[mode]();
      const { dx } = layer.backward(tensors(xs, shapes), new ck.Tensor(dy, y));
      xs.forEach((x, i) => expectNear(dx[i].data, finiteDifferences(x, () => dot(dy, mergeRef(mode, xs, shapes, true))), `d input ${i}`));
      const other = await layer.backwardAsync(tensors(xs, shapes), new ck.Tensor(dy, y));
      forEachThreadCount(() => {
        const again = layer.backward(tensors(xs, shapes), new ck.Tensor(dy, y));
        dx.forEach((d, i) => expect(bits(again.dx[i].data)).to.deep.equal(bits(d.data)));
      });
      dx.forEach((d, i) => expect(bits(other.dx[i].data)).to.deep.equal(bits(d.data)));
    });
  }

  it('the first input may be the one that spreads (a gate times a map, a map minus a bias row): oracle and differences', () => {
    for (const [mode, shapes] of [['multiply', [[2, 1, 1, 5], [2, 3, 3, 5]]], ['subtract', [[1, 1, 4], [3, 2, 4]]], ['maximum', [[3, 1], [1, 4]]]] as [Mode, number[][]][]) {
      const xs = shapes.map((s, i) => Float32Array.from(randomArray(size(s), 60 + i), (v) => Math.round(v * 64) / 64 + i / 256));
      const y = broadcast(shapes), dy = randomArray(size(y), 4), layer = LAYERS[mode]();
      forEachIsa((isa) => expectExact(layer.forward(tensors(xs, shapes)).data, mergeRef(mode, xs, shapes), `${mode} [${isa}]`));
      const { dx } = layer.backward(tensors(xs, shapes), new ck.Tensor(dy, y));
      xs.forEach((x, i) => expectNear(dx[i].data, finiteDifferences(x, () => dot(dy, mergeRef(mode, xs, shapes, true))), `${mode} d input ${i}`));
    }
  });

  it('a graph node reads as many values as its operator takes', () => {
    const b = backend();
    const params = { an: 1, ah: 1, aw: 2, ac: 3, bn: 1, bh: 1, bw: 2, bc: 3, mode: 0, divisor: 0 };
    const one = b.createGraph(1, [{ operator: b.createOperator({ op: 'merge', params }), inputs: [0] }], [1]);
    expect(() => one.reshape([params])).to.throw(RangeError, /read 2 values/);
    expect(() => b.createGraph(1, [{ operator: b.createOperator({ op: 'merge', params }), inputs: [0, 1] }], [1])).to.throw(RangeError);
    const pool = new ck.MaxPool2D({ poolSize: 1 }).planStep([1, 1, 2, 3], b).step!;
    const two = b.createGraph(1, [{ operator: b.createOperator(pool), inputs: [0, 0] }], [1]);
    expect(() => two.reshape([pool.params])).to.throw(RangeError, /read 1 value \(/);
  });

  it('a residual block conv -> conv -> add(input) as one graph: the bits of the layers run one by one', async () => {
    const b = backend();
    const shape = [2, 9, 7, 6], x = new ck.Tensor(randomArray(size(shape), 3), shape);
    const c1 = new ck.Conv2D({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 });
    const c2 = new ck.Conv2D({ filters: 6, kernelSize: 3, padding: 'same', seed: 2 });
    const add = { op: 'merge', params: { an: 2, ah: 9, aw: 7, ac: 6, bn: 2, bh: 9, bw: 7, bc: 6, mode: 0, divisor: 0 } } as const;
    const steps = [c1.planStep(shape, b).step!, c2.planStep(shape, b).step!, add];
    const graph = b.createGraph(1, [{ operator: b.createOperator(steps[0]), inputs: [0] }, { operator: b.createOperator(steps[1]), inputs: [1] }, { operator: b.createOperator(add), inputs: [2, 0] }], [3]);
    graph.reshape(steps.map((s) => s.params));
    const expected = new ck.Add().forward([c2.forward(c1.forward(x)), x]);
    expect(bits(graph.run([x.data])[0])).to.deep.equal(bits(expected.data));
    expect(bits((await graph.runAsync([x.data]))[0])).to.deep.equal(bits(expected.data));
  });

  it('refuses inputs that do not merge, naming the layer and the shapes', () => {
    const t = (s: number[]) => new ck.Tensor(new Float32Array(size(s)), s);
    expect(() => new ck.Add().forward([t([1, 2, 2, 3]), t([1, 2, 2, 4])])).to.throw(RangeError, /Add inputs of one rank \(at most 4\) whose sizes on each axis are equal or 1 .*\[1, 2, 2, 3\] and \[1, 2, 2, 4\]/);
    expect(() => new ck.Multiply().forward([t([1, 2, 3]), t([1, 1, 2, 3])])).to.throw(RangeError, /one rank/);
    expect(() => new ck.Subtract().forward([t([2, 3]), t([2, 3]), t([2, 3])])).to.throw(RangeError, /exactly 2 inputs for Subtract but received 3/);
    expect(() => new ck.Add().forward([t([2, 3])])).to.throw(TypeError, /at least 2 Tensors for Add/);
    expect(() => new ck.Add().forward(t([2, 3]) as never)).to.throw(TypeError, /at least 2 Tensors/);
    expect(() => new ck.Maximum().forward([t([2, 3]), {} as never])).to.throw(TypeError, /Maximum input 1/);
    expect(() => new ck.Concatenate({ axis: 1.5 })).to.throw(TypeError, /Expected integer for axis but received 1.5/);
    expect(() => new ck.Concatenate({ axis: 3 }).forward([t([2, 3]), t([2, 3])])).to.throw(RangeError, /axis/);
    expect(() => new ck.Concatenate().forward([t([2, 3]), t([3, 3])])).to.throw(RangeError, /match except on axis -1/);
    expect(() => new ck.Add(5 as never)).to.throw(TypeError, /options object/);
    expect(() => new ck.Add().backward([t([2, 3]), t([2, 3])], t([2, 4]))).to.throw(RangeError, /dy of shape \[2, 3\]/);
  });

  it('the operators check what they run on: two inputs of the reshaped lengths', () => {
    const b = backend();
    const params = { an: 1, ah: 1, aw: 2, ac: 3, bn: 1, bh: 1, bw: 1, bc: 3, mode: 2, divisor: 0 };
    const op = b.createOperator({ op: 'merge', params });
    op.reshape(params);
    expect(() => op.run([new Float32Array(6)])).to.throw(TypeError);
    expect(() => op.run([new Float32Array(6), new Float32Array(4)])).to.throw(RangeError, /3 elements/);
    expect(() => op.run([new Float32Array(5), new Float32Array(3)])).to.throw(RangeError, /6 elements/);
    expect(() => op.reshape({ ...params, bc: 2 })).to.throw(RangeError, /equal or 1/);
    expect(() => b.createOperator({ op: 'merge', params: { ...params, mode: 9 } }).reshape(params)).to.throw(RangeError);
    const out = new Float32Array(6), a = new Float32Array([1, 2, 3, 4, 5, 6]);
    expect(op.run([a, new Float32Array([1, 0, 2])], out)).to.equal(out);
    expectExact(out, [1, 0, 6, 4, 0, 12]);
    expect(() => op.run([a, new Float32Array(3)], a)).to.throw(RangeError, /share no memory/);
    expect(() => b.mergeBackward(a, new Float32Array(2), new Float32Array(6), params)).to.throw(RangeError);
    op.release();
  });
});
