// forwardAsync computes off the event loop (native: a libuv worker thread; wasm: its worker
// threads): the loop keeps turning while it computes.
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { forEachBackend, skipWithoutNative } from './helpers/backends';
import { randomArray } from './helpers/random';

forEachBackend('forwardAsync', () => {
  it('keeps the event loop turning while a long conv runs', async () => {
    // About 10 GFLOP: long enough to span many event-loop turns on any machine, also when other
    // processes load it (2.5 GFLOP took 16 ms with AVX-512 and 2 threads, and a loaded machine
    // then gave the loop a single turn in that time).
    const x = new ck.Tensor(randomArray(16 * 56 * 56 * 64, 1), [16, 56, 56, 64]);
    const conv = new ck.Conv2D({ filters: 128, kernelSize: 3, padding: 'same', seed: 3 });
    conv.forward(new ck.Tensor(randomArray(56 * 56 * 64, 2), [1, 56, 56, 64])); // pack the weights first
    let ticks = 0, running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const started = Date.now();
    const y = await conv.forwardAsync(x);
    running = false;
    const elapsed = Date.now() - started;
    expect(y.shape).to.deep.equal([16, 56, 56, 128]);
    // A blocked loop would tick at most once or twice; a free one ticks continuously.
    expect(ticks, `${ticks} ticks in ${elapsed} ms`).to.be.greaterThan(20);
  });

  it('gives bit-identical results to forward for every layer and Sequential', async () => {
    const x = new ck.Tensor(randomArray(2 * 12 * 10 * 5, 4), [2, 12, 10, 5]);
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 7, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Dense({ units: 9, seed: 2 }),
    ]);
    const sync = model.forward(x), async = await model.forwardAsync(x);
    expect(async.shape).to.deep.equal(sync.shape);
    expect(Array.from(async.data)).to.deep.equal(Array.from(sync.data));
  });

  it('runs many calls concurrently without mixing their results', async () => {
    const layer = new ck.Dense({ units: 33, seed: 5 });
    const inputs = Array.from({ length: 12 }, (_, i) => new ck.Tensor(randomArray(3 * 70, 10 + i), [3, 70]));
    const expected = inputs.map((x) => layer.forward(x));
    const results = await Promise.all(inputs.map((x) => layer.forwardAsync(x)));
    results.forEach((y, i) => expect(Array.from(y.data)).to.deep.equal(Array.from(expected[i].data)));
  });

  it('rejects bad input (validation errors are rejections, not throws)', async () => {
    const conv = new ck.Conv2D({ filters: 2, kernelSize: 3 });
    const pending = conv.forwardAsync(new ck.Tensor(new Float32Array(4), [4]));
    expect(pending).to.be.instanceOf(Promise);
    let error: unknown;
    await pending.catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});

describe('the native addon in worker_threads', function () {
  if (skipWithoutNative()) return;
  it('loads and computes in two workers at once (context-aware addon)', async () => {
    const script = `
      const { parentPort } = require('node:worker_threads');
      const ck = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});
      const x = new ck.Tensor(new Float32Array(2 * 6 * 6 * 3).fill(1), [2, 6, 6, 3]);
      const y = new ck.Conv2D({ filters: 4, kernelSize: 3, kernel: new Float32Array(3 * 3 * 3 * 4).fill(0.5) }).forward(x);
      ck.Conv2D && parentPort.postMessage({ backend: ck.getBackend(), first: y.data[0], shape: y.shape });`;
    const run = () => new Promise<{ backend: string; first: number; shape: number[] }>((resolve, reject) => {
      const w = new Worker(script, { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
    const results = await Promise.all([run(), run()]);
    for (const r of results) {
      expect(r.backend).to.equal('native');
      expect(r.shape).to.deep.equal([2, 4, 4, 4]);
      expect(r.first).to.equal(27 * 0.5);
    }
  });
});
