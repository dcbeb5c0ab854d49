// Sequential.forwardAsync runs the whole chain in one backend call (Backend.sequentialAsync:
// one N-API job on native, intermediates in module memory on wasm), and so does forward on wasm
// (Backend.sequential). Both must give the bits of the layers called one by one,
// follow the in-flight rule for the whole chain, and reject bad chains, never crash.
import { expect } from 'chai';
import { join, resolve } from 'node:path';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import type { Step } from '../lib/backends/backend';
import { forEachBackend, onNative } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (t: ck.Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
const detach = (buffer: ArrayBufferLike) => structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
/** The error a call throws or rejects with, or null. */
const failure = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
    return null;
  } catch (e) {
    return e;
  }
};

/** The service example's architecture (64x64x3 in), scaled by `width`. */
function cnn(seed: number, width = 1): ck.Sequential {
  return new ck.Sequential([
    new ck.Conv2D({ filters: 8 * width, kernelSize: 3, padding: 'same', activation: 'relu', seed }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Conv2D({ filters: 16 * width, kernelSize: 3, padding: 'same', activation: 'relu', seed: seed + 1 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Dense({ units: 10, seed: seed + 2 }),
  ]);
}

/** Chains that cover every step kind next to every other, odd sizes, bias and no bias. */
const chains: [string, () => ck.Sequential, number[]][] = [
  ['the service CNN, batch 1', () => cnn(1), [1, 64, 64, 3]],
  ['the service CNN x2 wide, batch 3', () => cnn(5, 2), [3, 64, 64, 3]],
  ['one layer', () => new ck.Sequential([new ck.Conv2D({ filters: 5, kernelSize: 3, seed: 9 })]), [2, 9, 7, 3]],
  ['pool first, strided and padded', () => new ck.Sequential([
    new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }),
    new ck.Conv2D({ filters: 20, kernelSize: [1, 1], useBias: false, seed: 10 }),
    new ck.Conv2D({ filters: 17, kernelSize: 2, strides: 2, dilationRate: 1, activation: 'relu', seed: 11 }),
  ]), [2, 13, 11, 18]],
  ['dense after dense', () => new ck.Sequential([
    new ck.Dense({ units: 33, activation: 'relu', seed: 12 }),
    new ck.Dense({ units: 7, useBias: false, seed: 13 }),
    new ck.Dense({ units: 19, seed: 14 }),
  ]), [5, 4, 6]],
  // Flatten is a reshape between steps (no step of its own), wherever it stands.
  ['Flatten between pool and dense', () => new ck.Sequential([
    new ck.Conv2D({ filters: 6, kernelSize: 3, activation: 'relu', seed: 15 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Flatten(),
    new ck.Dense({ units: 9, seed: 16 }),
  ]), [3, 11, 10, 2]],
  ['Flatten first, twice, and last', () => new ck.Sequential([
    new ck.Flatten(), new ck.Flatten(), new ck.Dense({ units: 5, seed: 17 }), new ck.Flatten(),
  ]), [4, 3, 2, 5]],
  ['Flatten alone', () => new ck.Sequential([new ck.Flatten()]), [2, 3, 4, 5]],
  // Each runs as a pass after its GEMM (a second job on wasm), in place in the chain's buffers;
  // the first two outputs are large enough to share their pass across threads.
  ['sigmoid, tanh and softmax between and after other steps', () => new ck.Sequential([
    new ck.Conv2D({ filters: 24, kernelSize: 3, padding: 'same', activation: 'tanh', seed: 18 }),
    new ck.Conv2D({ filters: 20, kernelSize: 1, activation: 'sigmoid', seed: 19 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Conv2D({ filters: 7, kernelSize: 3, activation: 'softmax', seed: 20 }),
    new ck.Dense({ units: 30, activation: 'sigmoid', seed: 21 }),
    new ck.Dense({ units: 10, activation: 'softmax', seed: 22 }),
  ]), [3, 60, 61, 4]],
  // The seed network's dense layer (D1: 8 x 24576 -> 32) splits K into chunks, summed by the
  // task that finishes last; the next step reads that sum from the chain's buffer.
  ['a conv, then a Dense with a split K, then softmax', () => new ck.Sequential([
    new ck.Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', seed: 23 }),
    new ck.Flatten(),
    new ck.Dense({ units: 32, activation: 'relu', seed: 24 }),
    new ck.Dense({ units: 10, activation: 'softmax', seed: 25 }),
  ]), [8, 32, 48, 16]],
];

forEachBackend('Sequential.forward and forwardAsync as one chained call', () => {
  for (const threads of [1, 2]) {
    for (const [name, make, shape] of chains) {
      it(`${name}, ${threads} thread(s): the bits of forward`, async () => {
        const original = ck.getNumThreads();
        ck.setNumThreads(threads);
        try {
          const model = make();
          const x = new ck.Tensor(randomArray(shape.reduce((a, b) => a * b), shape.length + threads), shape);
          // Layer by layer, each call on its own: the reference for both chained forms.
          const expected = model.layers.reduce((t, l) => l.forward(t), x);
          const y = await model.forwardAsync(x);
          expect(y.shape).to.deep.equal(model.outputShape(shape));
          expect(bits(y)).to.deep.equal(bits(expected));
          const sync = model.forward(x);
          expect(sync.shape).to.deep.equal(y.shape);
          expect(bits(sync)).to.deep.equal(bits(expected));
        } finally {
          ck.setNumThreads(original);
        }
      });
    }
  }

  it('forward on wasm is one chained call that leaves no block behind, and the layers stay usable alone', function () {
    const b = backend() as { name: string; sequential?: unknown; engine?: { arena: { allocatedBytes: number } } };
    if (b.name !== 'wasm') {
      expect(b.sequential, 'native calls the layers one by one').to.equal(undefined);
      return;
    }
    const model = cnn(40);
    const x = new ck.Tensor(randomArray(64 * 64 * 3, 41), [1, 64, 64, 3]);
    model.forward(x); // packs the weights
    const held = b.engine!.arena.allocatedBytes;
    let calls = 0;
    const b2 = b as unknown as { conv2d: (...a: unknown[]) => unknown };
    const conv2d = b2.conv2d;
    b2.conv2d = (...a: unknown[]) => (calls++, conv2d.apply(b, a));
    try {
      for (let i = 0; i < 5; i++) model.forward(x);
    } finally {
      b2.conv2d = conv2d;
    }
    expect(calls, 'no per-layer call').to.equal(0);
    expect(b.engine!.arena.allocatedBytes).to.equal(held);
    expect(bits(model.layers[0].forward(x))).to.deep.equal(bits(new ck.Sequential([model.layers[0]]).forward(x)));
  });

  it('concurrent chains on one model share the pool and each gets its own result', async () => {
    const model = cnn(20);
    const inputs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => new ck.Tensor(randomArray(64 * 64 * 3, 30 + i), [1, 64, 64, 3]));
    const expected = inputs.map((x) => bits(model.forward(x)));
    const results = await Promise.all(inputs.map((x) => model.forwardAsync(x)));
    results.forEach((y, i) => expect(bits(y), `request ${i}`).to.deep.equal(expected[i]));
  });

  it('rejects bad input with the layer error, before anything runs', async () => {
    const model = cnn(40);
    expect(await failure(() => model.forwardAsync({} as ck.Tensor))).to.be.instanceOf(TypeError).with.property('message').match(/Expected Tensor for Conv2D input/);
    const wrongChannels = new ck.Tensor(new Float32Array(64 * 64 * 4), [1, 64, 64, 4]);
    model.forward(new ck.Tensor(new Float32Array(64 * 64 * 3), [1, 64, 64, 3]));
    expect(await failure(() => model.forwardAsync(wrongChannels))).to.be.instanceOf(RangeError).with.property('message').match(/3 channels/);
    // Too small for the second pool: the error names the layer deep in the chain.
    const small = new ck.Tensor(new Float32Array(3 * 3 * 3), [1, 3, 3, 3]);
    expect(await failure(() => model.forwardAsync(small))).to.be.instanceOf(RangeError).with.property('message').match(/MaxPool2D/);
    const rank = new ck.Sequential([new ck.Dense({ units: 4 }), new ck.Conv2D({ filters: 2, kernelSize: 1 })]);
    expect(await failure(() => rank.forwardAsync(new ck.Tensor(new Float32Array(6), [2, 3])))).to.be.instanceOf(RangeError).with.property('message').match(/Conv2D input of rank 4/);
  });

  it('in flight: detaching x and replacing every kernel after the call leaves its result alone', async () => {
    const model = cnn(50, 2);
    const x = new ck.Tensor(randomArray(2 * 64 * 64 * 3, 51), [2, 64, 64, 3]);
    const expected = model.forward(new ck.Tensor(x.data.slice(), x.shape));
    const pending = model.forwardAsync(x);
    detach(x.data.buffer);
    for (const [i, l] of model.layers.entries()) {
      const w = l.getWeights();
      if (w.kernel) l.setWeights({ kernel: randomArray(w.kernel.length, 60 + i), bias: randomArray(w.bias!.length, 70 + i) });
    }
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('a graph runs a DAG as one job: a value read by two nodes, two outputs, the same bits as the layers one by one', async () => {
    const b = backend();
    const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 80, activation: 'relu' });
    const d1 = new ck.Dense({ units: 3, seed: 81 }), d2 = new ck.Dense({ units: 5, seed: 82, activation: 'softmax' });
    const c = conv.planStep([2, 6, 6, 2], b).step as Step;
    const s1 = d1.planStep([2, 4, 4, 4], b).step as Step, s2 = d2.planStep([2, 4, 4, 4], b).step as Step;
    const ops = [c, s1, s2].map((st) => b.createOperator(st));
    const graph = b.createGraph(1, [{ operator: ops[0], inputs: [0] }, { operator: ops[1], inputs: [1] }, { operator: ops[2], inputs: [1] }], [2, 3]);
    const shape = graph.reshape([c.params, s1.params, s2.params]);
    expect(shape.outputs).to.deep.equal([6, 10]);
    const x = new ck.Tensor(randomArray(144, 83), [2, 6, 6, 2]);
    const hidden = conv.forward(x);
    const expected = [d1.forward(hidden), d2.forward(hidden)];
    const sync = graph.run([x.data]), async = await graph.runAsync([x.data]);
    for (const got of [sync, async]) got.forEach((y, i) => expect(bits(new ck.Tensor(y, expected[i].shape))).to.deep.equal(bits(expected[i])));
    ops.forEach((op) => op.release()); // the graph holds what it runs
    expect(graph.run([x.data])[1]).to.deep.equal(sync[1]);
  });

  it('a chain of four same-size convolutions keeps its three intermediates in two buffers (liveness)', () => {
    const b = backend();
    const layers = [0, 1, 2, 3].map((i) => new ck.Conv2D({ filters: 8, kernelSize: 3, padding: 'same', seed: 84 + i }));
    const steps = layers.map((l) => l.planStep([1, 10, 10, 8], b).step as Step);
    const graph = b.createGraph(1, steps.map((st, i) => ({ operator: b.createOperator(st), inputs: [i] })), [4]);
    expect(graph.reshape(steps.map((st) => st.params)).arenaBytes).to.equal(2 * 800 * 4);
    const x = new ck.Tensor(randomArray(800, 88), [1, 10, 10, 8]);
    const expected = layers.reduce((t, l) => l.forward(t), x);
    expect(bits(new ck.Tensor(graph.run([x.data])[0], expected.shape))).to.deep.equal(bits(expected));
  });

  it('the backend rejects operators and graphs that do not fit together, before anything runs', async () => {
    const b = backend();
    const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 80 });
    const dense = new ck.Dense({ units: 3, seed: 81 });
    const c = conv.planStep([1, 6, 6, 2], b).step as Step; // null only for a reshape (Flatten)
    const d = dense.planStep([1, 4, 4, 4], b).step as Extract<Step, { op: 'dense' }>;
    const x = new Float32Array(72);
    const graph = (steps: Step[]) => b.createGraph(1, steps.map((st, i) => ({ operator: b.createOperator(st), inputs: [i] })), [steps.length]);
    const chain = graph([c, d]);
    chain.reshape([c.params, d.params]);
    expect(bits(new ck.Tensor((await chain.runAsync([x]))[0], [1, 3]))).to.deep.equal(bits(dense.forward(conv.forward(new ck.Tensor(x, [1, 6, 6, 2])))));
    // 64 floats in; the dense node wants a batch of 2 of 32 features
    expect(() => graph([c, d]).reshape([c.params, { ...d.params, m: 2, k: 32 }])).to.throw(RangeError);
    expect(() => b.createOperator({ ...d, bias: new Float32Array(2) })).to.throw(RangeError, /3 elements in bias/);
    expect(() => b.createOperator({ ...d, packed: { length: d.packed.length } })).to.throw(TypeError); // not packed by this backend
    expect(() => b.createOperator({ ...c, op: 'softmax' } as never)).to.throw(TypeError, /operator kind/);
    const op = b.createOperator(c);
    expect(() => b.createGraph(1, [{ operator: op, inputs: [1] }], [1])).to.throw(RangeError); // reads its own value
    expect(() => b.createGraph(1, [{ operator: op, inputs: [0] }], [0])).to.throw(RangeError, /node's value/);
    expect(() => b.createGraph(1, [{ operator: {} as never, inputs: [0] }], [1])).to.throw(TypeError);
    expect(() => chain.run([new Float32Array(71)])).to.throw(RangeError, /72 elements in x but received 71/);
    expect(await failure(() => chain.runAsync([new Float32Array(71)]))).to.be.instanceOf(RangeError);
    expect(() => chain.run([])).to.throw(TypeError, /1 inputs/);
  });
});

describe('Sequential.forwardAsync on native: faults in the chained job', function () {
  const native = onNative();
  if (!native) return;

  it('an allocation failure rejects the chain, and the next chain works', async () => {
    const model = cnn(90);
    const x = new ck.Tensor(randomArray(64 * 64 * 3, 91), [1, 64, 64, 3]);
    const expected = model.forward(x);
    native().injectFault('alloc');
    expect(await failure(() => model.forwardAsync(x))).to.be.instanceOf(Error).with.property('message').match(/out of memory/);
    expect(bits(await model.forwardAsync(x))).to.deep.equal(bits(expected));
  });

  it('the addon checks its arguments again: operators, wiring, params, arrays and released handles', async () => {
    // The addon itself, as lib/backends/native.ts loads it.
    const custom = process.env.CONVKIT_ADDON_PATH;
    const addon = (custom ? require(resolve(custom)) : require('node-gyp-build')(join(__dirname, '..'))) as Record<string, (...a: unknown[]) => unknown>;
    const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 92 });
    const step = conv.planStep([1, 6, 6, 2], backend()).step as Extract<Step, { op: 'conv2d' }>;
    const handle = (step.packed as unknown as { handle: unknown }).handle;
    const x = new Float32Array(72);
    expect(() => addon.createOperator('softmax', step.params, handle, null)).to.throw(TypeError, /operator kind/);
    expect(() => addon.createOperator('conv2d', step.params, {}, null)).to.throw(TypeError, /packed by the native backend/);
    expect(() => addon.createOperator('conv2d', null, handle, null)).to.throw(TypeError, /object for params/);
    const op = addon.createOperator('conv2d', step.params, handle, null);
    expect(() => addon.runOperator(op, x)).to.throw(Error, /reshapeOperator before/);
    expect(() => addon.reshapeOperator(op, { ...step.params, oh: 5 })).to.throw(RangeError, /params.oh/);
    expect(() => addon.reshapeOperator(op, { ...step.params, c: 3 })).to.throw(RangeError, /27 x 4 kernel/);
    expect(addon.reshapeOperator(op, step.params)).to.equal(64);
    expect(() => addon.runOperator(op, new Float64Array(72))).to.throw(TypeError, /Float32Array for x/);
    expect(() => addon.runOperator(op, x, new Float32Array(63))).to.throw(RangeError, /64 elements in out/);
    expect(() => addon.runOperator(handle, x)).to.throw(TypeError, /operator created by the native backend/);
    expect(() => addon.createGraph(0, [[op, [0]]], [1])).to.throw(RangeError, /at least one graph input/);
    expect(() => addon.createGraph(1, [[op, [1]]], [1])).to.throw(RangeError, /nodes\[0\] input/);
    expect(() => addon.createGraph(1, [[op, 0]], [1])).to.throw(TypeError, /array for nodes\[0\] inputs/);
    expect(() => addon.createGraph(1, [[op, [0]]], [1, 1])).to.throw(RangeError, /distinct/);
    expect(() => addon.createGraph(1, [[handle, [0]]], [1])).to.throw(TypeError, /operator created by the native backend/);
    const graph = addon.createGraph(1, [[op, [0]]], [1]);
    expect(() => addon.runGraph(graph, x)).to.throw(Error, /reshapeGraph before/);
    expect(() => addon.reshapeGraph(graph, [])).to.throw(TypeError, /params for each of the 1 nodes/);
    expect(() => addon.reshapeGraph(op, [step.params])).to.throw(TypeError, /graph created by the native backend/);
    addon.reshapeGraph(graph, [step.params]);
    expect(() => addon.runGraph(graph)).to.throw(TypeError, /1 inputs/);
    expect(() => addon.runGraphAsync(graph, new Float32Array(71))).to.throw(RangeError, /72 elements in x/);
    addon.releaseOperator(op);
    expect(() => addon.runOperator(op, x)).to.throw(TypeError, /not been released/);
    expect((await addon.runGraphAsync(graph, x)) as Float32Array).to.have.length(64); // the graph holds its own share
    addon.releaseWeights(handle);
    expect(() => addon.createOperator('conv2d', step.params, handle, null)).to.throw(TypeError, /not been released/);
  });
});
