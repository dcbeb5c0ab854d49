// The wasm backend's own guarantees: its memory is reused, not leaked, call after call; and
// every argument is checked again before a kernel runs, as the native addon does.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import type { Backend } from '../lib/backends/backend';
import { randomArray } from './helpers/random';
import { onWasm } from './helpers/backends';
import { blocksInUse, expectNoNewBlocks } from './helpers/wasm-blocks';
import { relaxedSimdSupported } from '../lib/backends/wasm-features';

describe('the wasm backend', function () {
  const onIt = onWasm();
  if (!onIt) return;
  let wasm: Backend;
  before(() => (wasm = onIt()));

  /** Bytes the arena of the engine in use has handed out and not taken back. */
  const allocated = () => (wasm as unknown as { engine: { arena: { allocatedBytes: number } } }).engine.arena.allocatedBytes;

  it('leaves no memory behind after many calls, sync and async, including failed ones', async () => {
    const conv = new ck.Conv2D({ filters: 20, kernelSize: 3, padding: 'same', seed: 1 });
    const fc = new ck.Dense({ units: 9, seed: 2 });
    const x = new ck.Tensor(randomArray(2 * 12 * 12 * 7, 3), [2, 12, 12, 7]);
    conv.forward(x); // packs the weights: they stay for the layer's lifetime
    fc.forward(x);
    const baseline = blocksInUse(wasm);
    for (let i = 0; i < 50; i++) {
      conv.forward(x);
      fc.forward(x);
      await conv.forwardAsync(x);
      ck.gemm(new ck.Tensor(randomArray(6, 4), [2, 3]), new ck.Tensor(randomArray(12, 5), [3, 4]), { transA: false, c: new ck.Tensor(randomArray(4, 6), [4]) });
      expect(() => conv.forward(new ck.Tensor(new Float32Array(12 * 12 * 3), [1, 12, 12, 3]))).to.throw(RangeError);
    }
    await Promise.all(Array.from({ length: 8 }, () => conv.forwardAsync(x)));
    expectNoNewBlocks(wasm, baseline, 'blocks left behind');
  });

  it('frees packed weights when a layer replaces them', () => {
    const fc = new ck.Dense({ units: 64, seed: 1 });
    const x = new ck.Tensor(randomArray(2 * 500, 1), [2, 500]);
    fc.forward(x);
    const withWeights = allocated();
    for (let i = 0; i < 5; i++) {
      fc.setWeights({ kernel: randomArray(500 * 64, 10 + i) });
      fc.forward(x);
    }
    expect(allocated()).to.equal(withWeights);
  });

  it("keeps a convolution's indirection buffer with its weights and builds it again when the input, its place or its shape changes", async () => {
    const kernel = randomArray(3 * 3 * 12 * 20, 7), bias = randomArray(20, 8);
    const layer = () => new ck.Conv2D({ filters: 20, kernelSize: 3, strides: [2, 1], padding: 'same', kernel, bias });
    const kept = layer();
    const a = new ck.Tensor(randomArray(10 * 9 * 12, 9), [1, 10, 9, 12]);
    const b = new ck.Tensor(randomArray(2 * 7 * 8 * 12, 10), [2, 7, 8, 12]);
    const resident = ck.residentTensor(a);
    const expected = new Map([a, b, resident].map((x) => [x, layer().forward(x).data])); // each built afresh
    // Alternating shapes, copied and resident inputs (other addresses), and async calls in flight
    // together: every result has the bits of a layer that built its buffer for that call.
    for (const x of [a, a, b, b, resident, a, resident, resident, b, a]) expect(kept.forward(x).data, x.shape.join()).to.deep.equal(expected.get(x));
    const ys = await Promise.all([a, b, resident, a, b].map((x) => kept.forwardAsync(x)));
    ys.forEach((y, i) => expect(y.data).to.deep.equal(expected.get([a, b, resident, a, b][i])));
    // A new layer's first calls all in flight at once: whichever job runs first, none reads a
    // buffer that no finished job has written.
    const xs = [a, b, a, resident, a, b, a];
    const zs = await Promise.all(xs.map((x) => layer().forwardAsync(x).then(() => kept.forwardAsync(x))));
    zs.forEach((y, i) => expect(y.data).to.deep.equal(expected.get(xs[i])));
    const fresh = layer();
    const ws = await Promise.all(xs.map((x) => fresh.forwardAsync(x)));
    ws.forEach((y, i) => expect(y.data).to.deep.equal(expected.get(xs[i])));
    ck.releaseTensor(resident);
  });

  it('with two threads, prepares a large output while a worker computes, with the bits of one thread', async () => {
    const b = wasm as unknown as { engine: { runSync: (...a: unknown[]) => void; readyWorkers(): number } };
    const pool = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' });
    const conv = new ck.Conv2D({ filters: 64, kernelSize: 3, padding: 'same', seed: 5 });
    const x = new ck.Tensor(randomArray(96 * 96 * 16, 6), [1, 96, 96, 16]); // outputs of 147 KB (pool) and 2.4 MB (conv)
    const before = ck.getNumThreads();
    try {
      ck.setNumThreads(1);
      const one = [pool.forward(x).data, conv.forward(x).data];
      ck.setNumThreads(2);
      for (let i = 0; i < 100 && b.engine.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 20));
      const runSync = b.engine.runSync;
      const meanwhile: boolean[] = [];
      b.engine.runSync = (...a: unknown[]) => (meanwhile.push(typeof a[4] === 'function'), runSync.apply(b.engine, a));
      let two: Float32Array[];
      try {
        two = [pool.forward(x).data, conv.forward(x).data];
      } finally {
        b.engine.runSync = runSync;
      }
      expect(two).to.deep.equal(one);
      // Only the conv's output passes PLAN.prefaultOutputBytes (256 KiB).
      expect(meanwhile).to.deep.equal([false, true]);
    } finally {
      ck.setNumThreads(before);
    }
  });

  it("frees a convolution's kept indirection buffer with its weights", () => {
    const conv = new ck.Conv2D({ filters: 20, kernelSize: 3, padding: 'same', seed: 3 });
    const x = new ck.Tensor(randomArray(2 * 12 * 12 * 16, 4), [2, 12, 12, 16]);
    conv.forward(x);
    const withBuffer = allocated();
    for (let i = 0; i < 5; i++) {
      conv.setWeights({ kernel: randomArray(3 * 3 * 16 * 20, 20 + i) });
      conv.forward(x);
    }
    expect(allocated()).to.equal(withBuffer);
  });

  it('checks every argument again before a kernel runs', () => {
    const f = (n: number) => new Float32Array(n);
    const conv = { n: 1, h: 4, w: 4, c: 2, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 2, ow: 2, oc: 3, activation: 0 };
    const packed = wasm.packWeights(f(3 * 3 * 2 * 3), { k: 18, n: 3 });
    expect(wasm.conv2d(f(32), packed, null, conv)).to.have.length(12);
    expect(() => wasm.conv2d(f(31), packed, null, conv)).to.throw(RangeError, /32 elements in x but received 31/);
    expect(() => wasm.conv2d(f(32), packed, f(2), conv)).to.throw(RangeError, /3 elements in bias/);
    expect(() => wasm.conv2d(f(32), packed, null, { ...conv, oh: 3 })).to.throw(RangeError, /params.oh/);
    expect(() => wasm.conv2d(f(32), packed, null, { ...conv, activation: 99 })).to.throw(RangeError, /activation/);
    expect(() => wasm.conv2d(f(32), f(18 * 16) as never, null, conv)).to.throw(TypeError, /packed by this wasm backend/);
    expect(() => wasm.conv2d(new Float64Array(32) as never, packed, null, conv)).to.throw(TypeError, /Float32Array for x/);
    const pool = { n: 1, h: 2, w: 1, c: 1, kh: 1, kw: 4, sh: 2, sw: 2, dh: 2, dw: 2, pt: 0, pb: 0, pl: 3, pr: 5, oh: 1, ow: 2 };
    expect(() => wasm.maxpool2d(f(2), pool)).to.throw(RangeError, /at least one input cell/);
    expect(() => wasm.dense(f(6), wasm.packWeights(f(12), { k: 3, n: 4 }), null, { m: 2, k: 3, n: 17, activation: 0 })).to.throw(RangeError, /packedWeights/);
  });

  it('each output owns a plain ArrayBuffer of exactly its size (transferable), whatever path made it', async () => {
    const conv = new ck.Conv2D({ filters: 5, kernelSize: 3, seed: 3 });
    const pool = new ck.MaxPool2D({ poolSize: 3, strides: 2 });
    const model = new ck.Sequential([conv, pool, new ck.Dense({ units: 3, seed: 4 })]);
    const x = new ck.Tensor(randomArray(2 * 9 * 8 * 3, 5), [2, 9, 8, 3]);
    // Over 1 MiB: the band-by-band max-pool.
    const big = new ck.Tensor(randomArray(1 * 96 * 96 * 32, 6), [1, 96, 96, 32]);
    const outputs = [conv.forward(x), await conv.forwardAsync(x), pool.forward(big), model.forward(x), await model.forwardAsync(x)];
    for (const [i, y] of outputs.entries()) {
      expect(y.data.buffer, `output ${i}`).to.be.instanceOf(ArrayBuffer);
      expect(y.data.byteOffset, `output ${i}`).to.equal(0);
      expect(y.data.buffer.byteLength, `output ${i}`).to.equal(y.data.length * 4);
      const copy = y.data.slice();
      const moved = new Float32Array(structuredClone(y.data.buffer, { transfer: [y.data.buffer as ArrayBuffer] }));
      expect(moved).to.deep.equal(copy);
    }
  });

  it('reports its build and threads, and setNumThreads changes them', () => {
    const info = ck.backendInfo();
    expect(info.name).to.equal('wasm');
    // Every build this engine validates, best first; relaxed SIMD where the probe accepts it.
    const relaxed = relaxedSimdSupported() ? ['wasm-relaxed-simd-threads'] : [];
    expect(info.isas).to.deep.equal([...relaxed, 'wasm-simd-threads', 'wasm-simd', 'wasm-scalar']);
    expect(info.isa).to.equal(info.isas[0]);
    const before = ck.getNumThreads();
    try {
      ck.setNumThreads(3);
      expect(ck.getNumThreads()).to.equal(3);
    } finally {
      ck.setNumThreads(before);
    }
  });
});

describe('the wasm builds', () => {
  it('the relaxed-SIMD probe agrees with the engine: the relaxed build compiles exactly where the probe accepts it', () => {
    const bytes = readFileSync(join(__dirname, '..', 'dist', 'wasm', 'convkit-relaxed-simd-threads.wasm'));
    expect(WebAssembly.validate(bytes)).to.equal(relaxedSimdSupported());
    // The plain SIMD build never needs it.
    expect(WebAssembly.validate(readFileSync(join(__dirname, '..', 'dist', 'wasm', 'convkit-simd-threads.wasm')))).to.equal(true);
  });

  it('each build stays under 27.5 KB, and the browser bundle under 220 KiB with all four embedded', () => {
    // 11 KB held the forward kernels and 13 KB the backward's too; the layers of real CNNs (depthwise,
    // average and global pooling, padding, batch normalization, every Keras activation with its
    // float64 math, the transposed convolution, upsampling, permute, the merges: forward and
    // backward) take the SIMD builds to 26 KB. PReLU (forward, and a backward summing dalpha in
    // float64) and softmax over any axis add 1.05 KB to each SIMD build (simd-threads: 26790 to
    // 27838 bytes), 0.65 KB to the scalar one; grouped convolution (its im2col of a group's
    // channels and the job's groups field) 0.15 KB more (27985 bytes).
    for (const name of ['relaxed-simd-threads', 'simd-threads', 'simd', 'scalar']) {
      expect(statSync(join(__dirname, '..', 'dist', 'wasm', `convkit-${name}.wasm`)).size, name).to.be.below(27.5 * 1024);
    }
    // 103 KB held the three layers, training, the model format and the graph runtime, with the
    // four builds deflated together (7 KB). The layers of real CNNs add 68 KB: about 60 KB of
    // layers, jobs and Keras configs, and 8 KB of builds. Over the 110 KB the issue asked for:
    // a bound on growth until the layers share more of their option and config code.
    // Functional models (symbolic tensors, the graph compiler, the functional topology's reader
    // and writer, training on graphs, the batcher) add 21 KB; grouped and separable convolution
    // (the layer, its chain step, their Keras read and write) 10.5 KB; PReLU and Softmax over any
    // axis 7.4 KB (the layer 2.6, its Keras read and write 1.3, the wasm builds 1.05, its wasm
    // backward 0.8, the rest 1.7): 223243 bytes at the merge of the three.
    const size = statSync(join(__dirname, '..', 'dist', 'browser', 'convkit.mjs')).size;
    expect(size).to.be.below(220 * 1024);
  });
});

describe('the wasm backend publishing jobs on a loaded machine', () => {
  it('never lets a worker late from one job take a task of the next while it is being written', async function () {
    this.timeout(120000);
    await ck.setBackend('wasm');
    const threads = ck.getNumThreads();
    ck.setNumThreads(2);
    // Busy processes on every core: this thread is preempted in the middle of publishing a job
    // while a worker is still leaving the last one. Before Job.next moved on first, this test
    // trapped in 1 run of 3, and the memory soak in 1 of 12 next to a training run.
    const hogs = Array.from({ length: cpus().length }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    try {
      // Multi-task jobs of different shapes, sync and async: a task run on a torn job shows.
      const net = new ck.Sequential([
        new ck.Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 }),
        new ck.MaxPool2D({ poolSize: 2 }),
        new ck.Dense({ units: 10, seed: 2 }),
      ]);
      const x = new ck.Tensor(randomArray(16 * 16 * 3, 7), [1, 16, 16, 3]);
      const expected = Array.from(net.forward(x).data);
      const deadline = Date.now() + 4000;
      for (let calls = 0; Date.now() < deadline || calls < 500; calls++) {
        const outputs = [net.forward(x), ...(await Promise.all(Array.from({ length: 4 }, () => net.forwardAsync(x))))];
        outputs.forEach((y) => expect(Array.from(y.data)).to.deep.equal(expected));
      }
    } finally {
      hogs.forEach((h) => h.kill());
      ck.setNumThreads(threads);
    }
  });
});

describe('the wasm backend after a kernel trap', () => {
  it('throws instead of hanging or reusing memory a worker may still touch', async () => {
    const { loadWasmNode } = await import('../lib/backends/wasm-node');
    const { OP } = await import('../lib/backends/wasm-job');
    const b = loadWasmNode() as unknown as { engine: { runSync(spec: object, threads: number, slot: number): void; runAsync(spec: object, threads: number, slot: number): Promise<void> } };
    // A job whose input lies past the end of memory: only reachable by bypassing every check.
    const bad = { op: OP.maxpool2d, tasks: 4, rowsPerTask: 1, x: 0xfffff000, y: 0xfffff000, n: 1, h: 2, wd: 2, c: 64, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, oh: 2, ow: 2 };
    expect(() => b.engine.runSync(bad, 1, 64)).to.throw(WebAssembly.RuntimeError);
    expect(() => b.engine.runSync(bad, 1, 64)).to.throw(Error, /cannot be used any more/);
    let error: unknown;
    await b.engine.runAsync(bad, 2, 64).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error).with.property('message').match(/cannot be used any more/);
  });

  it('a trap on a worker thread is reported, not waited for', async () => {
    const { loadWasmNode } = await import('../lib/backends/wasm-node');
    const { OP } = await import('../lib/backends/wasm-job');
    const b = loadWasmNode() as unknown as { engine: { runAsync(spec: object, threads: number, slot: number): Promise<void> } };
    const bad = { op: OP.maxpool2d, tasks: 4, rowsPerTask: 1, x: 0xfffff000, y: 0xfffff000, n: 1, h: 2, wd: 2, c: 64, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, oh: 2, ow: 2 };
    let error: unknown;
    await b.engine.runAsync(bad, 2, 64).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error).with.property('message').match(/a worker thread trapped/);
  });

  it('several workers trapping on one job are reported too (their flags do not overflow Job.done)', async () => {
    const { loadWasmNode } = await import('../lib/backends/wasm-node');
    const { OP, MAX_TASKS } = await import('../lib/backends/wasm-job');
    const { FAILED_DONE } = await import('../lib/backends/wasm-threads');
    expect(64 * FAILED_DONE + MAX_TASKS).to.be.below(2 ** 31);
    for (let round = 0; round < 5; round++) {
      const b = loadWasmNode() as unknown as { engine: { runAsync(spec: object, threads: number, slot: number): Promise<void>; ensureWorkers(n: number): void; readyWorkers(): number } };
      // Every worker ready before the job is published, so that all of them take a task and trap.
      b.engine.ensureWorkers(4);
      while (b.engine.readyWorkers() < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      const bad = { op: OP.maxpool2d, tasks: 8, rowsPerTask: 1, x: 0xfffff000, y: 0xfffff000, n: 1, h: 8, wd: 2, c: 64, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, oh: 8, ow: 2 };
      let error: unknown;
      await b.engine.runAsync(bad, 4, 64).catch((e) => (error = e));
      expect(error).to.be.instanceOf(Error).with.property('message').match(/a worker thread trapped/);
    }
  });
});
