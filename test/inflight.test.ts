// In-flight safety: whatever JavaScript does while an async call runs — to its input buffers, to
// the layer, to the thread or process that issued it — ends in a settled Promise or a clean exit.
// The rule under test (docs/reliability.md): an async call reads its inputs as they were when
// it was made.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as ck from '../lib/index';
import { ALL_BACKENDS, forEachBackend, onNative } from './helpers/backends';
import { gcFunction } from '../scripts/soak-run';
import { randomArray } from './helpers/random';

const collectGarbage = () => gcFunction()();
const detach = (buffer: ArrayBufferLike) => structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
const bits = (t: ck.Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));

/** A conv big enough (about 0.3 GFLOP) that the async call is still running when the test interferes. */
function bigConv(seed = 1) {
  const conv = new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', seed });
  const x = new ck.Tensor(randomArray(2 * 48 * 48 * 32, seed + 10), [2, 48, 48, 32]);
  return { conv, x, expected: conv.forward(new ck.Tensor(x.data.slice(), x.shape)) };
}

/** A tensor over a resizable ArrayBuffer holding a copy of x. */
function resizable(x: ck.Tensor): { t: ck.Tensor; buffer: ArrayBuffer } {
  const bytes = x.data.byteLength;
  const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: bytes });
  const data = new Float32Array(buffer);
  data.set(x.data);
  return { t: new ck.Tensor(data, x.shape), buffer };
}

forEachBackend('in flight: the caller changes the input', () => {
  it('detaching the input buffer after forwardAsync: the call resolves with the original result', async () => {
    const { conv, x, expected } = bigConv();
    const pending = conv.forwardAsync(x);
    detach(x.data.buffer);
    collectGarbage();
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('shrinking a resizable input buffer to 0 after forwardAsync', async () => {
    const { conv, x, expected } = bigConv(2);
    const { t, buffer } = resizable(x);
    const pending = conv.forwardAsync(t);
    (buffer as unknown as { resize(n: number): void }).resize(0);
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('writing to the input after the call does not change its result', async () => {
    const { conv, x, expected } = bigConv(3);
    const pending = conv.forwardAsync(x);
    x.data.fill(7);
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('a detached or shrunk input is rejected at the next call, naming the data', async () => {
    const { conv, x } = bigConv(4);
    const { t, buffer } = resizable(x);
    (buffer as unknown as { resize(n: number): void }).resize(16);
    detach(x.data.buffer);
    for (const bad of [x, t]) {
      expect(() => conv.forward(bad)).to.throw(RangeError, /data/);
      const error = await conv.forwardAsync(bad).then(() => null, (e) => e);
      expect(error).to.be.instanceOf(RangeError);
    }
  });

  it('gemmAsync with a, b and c detached while it runs', async () => {
    const a = new ck.Tensor(randomArray(96 * 200, 5), [96, 200]);
    const b = new ck.Tensor(randomArray(200 * 120, 6), [200, 120]);
    const c = new ck.Tensor(randomArray(120, 7), [120]);
    const opts = { c, beta: 0.5, alpha: 2 };
    const expected = ck.gemm(new ck.Tensor(a.data.slice(), a.shape), new ck.Tensor(b.data.slice(), b.shape), { ...opts, c: new ck.Tensor(c.data.slice(), c.shape) });
    const pending = ck.gemmAsync(a, b, opts);
    [a, b, c].forEach((t) => detach(t.data.buffer));
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('a Sequential whose input is detached mid-chain', async () => {
    const model = new ck.Sequential([new ck.Conv2D({ filters: 8, kernelSize: 3, seed: 8 }), new ck.MaxPool2D(), new ck.Dense({ units: 5, seed: 9 })]);
    const x = new ck.Tensor(randomArray(3 * 20 * 20 * 4, 10), [3, 20, 20, 4]);
    const expected = model.forward(new ck.Tensor(x.data.slice(), x.shape));
    const pending = model.forwardAsync(x);
    detach(x.data.buffer);
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  // Each layer's backward, with and without the forward output it needs (training hands it over;
  // backwardAsync runs the forward first): x, dy and that output detached once the call returns.
  const gradBits = (g: ck.Gradients) => [bits(g.dx), Array.from(g.kernel ?? []), Array.from(g.bias ?? [])];
  const backwards = [
    { name: 'Conv2D relu', layer: () => new ck.Conv2D({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', seed: 12 }), shape: [2, 30, 30, 8] },
    { name: 'Dense softmax', layer: () => new ck.Dense({ units: 40, activation: 'softmax', seed: 13 }), shape: [64, 300] },
    { name: 'MaxPool2D', layer: () => new ck.MaxPool2D({ poolSize: 3, strides: 2 }), shape: [4, 31, 31, 16] },
  ];
  for (const { name, layer, shape } of backwards) {
    it(`${name} backwardAsync with x, dy and the forward output detached while it runs`, async () => {
      const l = layer();
      const make = (seed: number, s: number[]) => new ck.Tensor(randomArray(s.reduce((a, b) => a * b), seed), s);
      const x = make(14, shape), dy = make(15, l.outputShape(shape));
      const expected = gradBits(l.backward(new ck.Tensor(x.data.slice(), x.shape), new ck.Tensor(dy.data.slice(), dy.shape)));
      const [x1, dy1] = [x, dy].map((t) => new ck.Tensor(t.data.slice(), t.shape));
      const plain = l.backwardAsync(x1, dy1);
      detach(x1.data.buffer);
      detach(dy1.data.buffer);
      const [x2, dy2] = [x, dy].map((t) => new ck.Tensor(t.data.slice(), t.shape));
      const y = l.forward(x2);
      const hinted = l.backwardAsyncWith(x2, dy2, { output: y });
      [x2, dy2, y].forEach((t) => detach(t.data.buffer));
      expect(gradBits(await plain), 'backwardAsync').to.deep.equal(expected);
      expect(gradBits(await hinted), 'with the output').to.deep.equal(expected);
    });
  }
});

forEachBackend('in flight: the caller changes the layer or the backend', () => {
  it('setWeights while a call runs: that call uses the old weights, the next the new', async () => {
    const { conv, x, expected } = bigConv(11);
    const replacement = randomArray(3 * 3 * 32 * 32, 12);
    const pending = conv.forwardAsync(x);
    conv.setWeights({ kernel: replacement });
    collectGarbage();
    expect(bits(await pending)).to.deep.equal(bits(expected));
    const fresh = new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', kernel: replacement, bias: conv.getWeights().bias! });
    expect(bits(await conv.forwardAsync(x))).to.deep.equal(bits(fresh.forward(x)));
  });

  it('dropping the layer and collecting garbage while calls run', async () => {
    const pending: Promise<ck.Tensor>[] = [];
    const expected: ck.Tensor[] = [];
    for (let i = 0; i < 4; i++) {
      const { conv, x, expected: e } = bigConv(20 + i);
      pending.push(conv.forwardAsync(x));
      expected.push(e);
    }
    collectGarbage();
    const results = await Promise.all(pending);
    results.forEach((y, i) => expect(bits(y)).to.deep.equal(bits(expected[i])));
  });

  it('setNumThreads while a call runs returns at once and the call completes', async () => {
    const { conv, x, expected } = bigConv(30);
    const threads = ck.getNumThreads();
    const pending = conv.forwardAsync(x);
    ck.setNumThreads(1);
    ck.setNumThreads(2);
    ck.setNumThreads(threads);
    expect(bits(await pending)).to.deep.equal(bits(expected));
  });

  it('setBackend while a call runs: the call finishes on the backend it started on', async () => {
    const { conv, x, expected } = bigConv(31);
    const here = ck.getBackend();
    const other = ALL_BACKENDS.find((n) => n !== here && ck.backends().includes(n));
    const pending = conv.forwardAsync(x);
    if (other) await ck.setBackend(other);
    const y = await pending;
    await ck.setBackend(here);
    expect(bits(y)).to.deep.equal(bits(expected));
  });

  it('holds the kernel once: packed after the first forward, unpacked exactly by getWeights', () => {
    const kernel = randomArray(3 * 3 * 5 * 7, 40);
    const conv = new ck.Conv2D({ filters: 7, kernelSize: 3, kernel });
    conv.forward(new ck.Tensor(randomArray(6 * 6 * 5, 41), [1, 6, 6, 5]));
    expect((conv as unknown as { kernel: unknown }).kernel, 'the unpacked copy is dropped once packed').to.equal(null);
    expect(Array.from(conv.getWeights().kernel!)).to.deep.equal(Array.from(kernel));
  });
});

describe('in flight: the thread or process that issued the call goes away', function () {
  const entry = JSON.stringify(join(__dirname, '..', 'dist', 'index.js'));
  for (const name of ALL_BACKENDS) {
    it(`a worker_thread terminated while its ${name} call runs: no crash, the process goes on`, async function () {
      if (!ck.backends().includes(name)) {
        console.log(`      skipped: the ${name} backend does not load here`);
        return this.skip();
      }
      const script = `
        const { parentPort } = require('node:worker_threads');
        process.env.CONVKIT_BACKEND = ${JSON.stringify(name)};
        const ck = require(${entry});
        const a = new ck.Tensor(new Float32Array(512 * 512).fill(1), [512, 512]);
        for (let i = 0; i < 4; i++) ck.gemmAsync(a, a);
        parentPort.postMessage('started');`;
      for (let round = 0; round < 3; round++) {
        const w = new Worker(script, { eval: true });
        await new Promise((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        });
        expect(await w.terminate()).to.equal(1);
      }
      // This thread's backend still computes.
      const y = ck.gemm(new ck.Tensor(new Float32Array([1, 2]), [1, 2]), new ck.Tensor(new Float32Array([3, 4]), [2, 1]));
      expect(Array.from(y.data)).to.deep.equal([11]);
    });

    it(`process.exit() while ${name} calls run: a clean exit with the given code`, function () {
      if (!ck.backends().includes(name)) {
        console.log(`      skipped: the ${name} backend does not load here`);
        return this.skip();
      }
      const script = `
        const ck = require(${entry});
        const a = new ck.Tensor(new Float32Array(768 * 768).fill(1), [768, 768]);
        for (let i = 0; i < 4; i++) ck.gemmAsync(a, a).then(() => {});
        setTimeout(() => process.exit(3), 5);`;
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, CONVKIT_BACKEND: name }, encoding: 'utf8', timeout: 120_000 });
      expect(r.signal, r.stderr).to.equal(null);
      expect(r.status, r.stderr).to.equal(3);
    });
  }
});

describe('errors inside native code reach JavaScript', function () {
  const native = onNative();
  if (!native) return;

  it('an allocation failure: forward throws, forwardAsync rejects, and the next call works', async () => {
    const { conv, x, expected } = bigConv(50);
    native().injectFault('alloc');
    expect(() => conv.forward(x)).to.throw(Error, /out of memory/);
    native().injectFault('alloc');
    const error = await conv.forwardAsync(x).then(() => null, (e) => e);
    expect(error).to.be.instanceOf(Error).with.property('message').match(/out of memory/);
    expect(bits(await conv.forwardAsync(x))).to.deep.equal(bits(expected));
  });

  it('a thread pool that cannot start its threads: the call rejects, the next call works', async () => {
    const { conv, x, expected } = bigConv(51);
    const threads = ck.getNumThreads();
    try {
      ck.setNumThreads(3); // a new count restarts the pool's threads at the next call
      native().injectFault('threads');
      const error = await conv.forwardAsync(x).then(() => null, (e) => e);
      expect(error).to.be.instanceOf(Error).with.property('message').match(/could not start worker threads/);
      expect(bits(conv.forward(x))).to.deep.equal(bits(expected));
    } finally {
      ck.setNumThreads(threads);
    }
  });
});
