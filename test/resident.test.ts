// residentTensor / releaseTensor: a tensor placed once where the backend reads it. On wasm with
// shared memory its data is a view of the module's memory and calls read it in place; the
// results must be the bits of the same call on an ordinary tensor, on every path that takes an
// input (sync, async, a Sequential chain, the large one-thread max-pool that otherwise pools
// band by band as it copies), and its block must come back when it is released.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { forEachBackend, onWasm } from './helpers/backends';
import { blocksInUse, expectNoNewBlocks } from './helpers/wasm-blocks';
import { randomArray } from './helpers/random';

const bits = (t: ck.Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
const wasmMemory = (t: ck.Tensor) => {
  const b = backend() as unknown as { engine?: { memory: WebAssembly.Memory } };
  return b.engine !== undefined && t.data.buffer instanceof SharedArrayBuffer && t.data.buffer.byteLength > 0 && b.engine.memory.buffer instanceof SharedArrayBuffer;
};
const allocated = () => (backend() as unknown as { engine: { arena: { allocatedBytes: number } } }).engine.arena.allocatedBytes;

forEachBackend('residentTensor', () => {
  const x = new ck.Tensor(randomArray(2 * 20 * 24 * 6, 1), [2, 20, 24, 6]);

  it('holds a copy of the values with the same shape, which later writes to x do not change', () => {
    const source = new ck.Tensor(x.data.slice(), x.shape);
    const r = ck.residentTensor(source);
    expect(r.shape).to.deep.equal(x.shape);
    expect(bits(r)).to.deep.equal(bits(x));
    source.data.fill(7);
    expect(bits(r)).to.deep.equal(bits(x));
    ck.releaseTensor(r);
  });

  it('gives the bits of an ordinary tensor through Conv2D, MaxPool2D, Dense and a Sequential, sync and async', async () => {
    const conv = new ck.Conv2D({ filters: 20, kernelSize: 3, padding: 'same', activation: 'relu', seed: 2 });
    const pool = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' });
    const model = new ck.Sequential([new ck.Conv2D({ filters: 8, kernelSize: 3, seed: 3 }), new ck.MaxPool2D({ poolSize: 2 }), new ck.Flatten(), new ck.Dense({ units: 5, seed: 4 })]);
    const r = ck.residentTensor(x);
    for (const layer of [conv, pool, model]) {
      const want = bits(layer.forward(x));
      expect(bits(layer.forward(r)), `${layer.constructor.name} forward`).to.deep.equal(want);
      expect(bits(await layer.forwardAsync(r)), `${layer.constructor.name} forwardAsync`).to.deep.equal(want);
    }
    const fc = new ck.Dense({ units: 33, seed: 5 });
    const rows = ck.residentTensor(new ck.Tensor(randomArray(7 * 300, 6), [7, 300]));
    expect(bits(fc.forward(rows))).to.deep.equal(bits(fc.forward(new ck.Tensor(rows.data.slice(), rows.shape))));
    // A reshaped resident tensor shares its data, so it is read in place too.
    expect(bits(fc.forward(rows.reshape([1, 7, 300]).reshape([7, 300])))).to.deep.equal(bits(fc.forward(rows)));
    ck.releaseTensor(r);
    ck.releaseTensor(rows);
  });

  it('pools a large input on one thread with the same bits (wasm reads it in place, no bands)', () => {
    const threads = ck.getNumThreads();
    ck.setNumThreads(1);
    try {
      const big = new ck.Tensor(randomArray(1 * 112 * 112 * 64, 7), [1, 112, 112, 64]);
      const pool = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' });
      const r = ck.residentTensor(big);
      expect(bits(pool.forward(r))).to.deep.equal(bits(pool.forward(big)));
      ck.releaseTensor(r);
    } finally {
      ck.setNumThreads(threads);
    }
  });

  it('sees writes to its data at the next call', () => {
    const pool = new ck.MaxPool2D({ poolSize: 2 });
    const r = ck.residentTensor(x);
    pool.forward(r);
    r.data.set(randomArray(r.size, 8));
    expect(bits(pool.forward(r))).to.deep.equal(bits(pool.forward(new ck.Tensor(r.data.slice(), r.shape))));
    ck.releaseTensor(r);
  });

  it('refuses what is not a tensor, and a tensor whose buffer was detached', () => {
    expect(() => ck.residentTensor([1, 2] as unknown as ck.Tensor)).to.throw(TypeError, 'Expected Tensor for residentTensor input but received');
    expect(() => ck.releaseTensor(null as unknown as ck.Tensor)).to.throw(TypeError, 'Expected Tensor for releaseTensor input but received null');
    const t = new ck.Tensor(new Float32Array(4), [4]);
    structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
    expect(() => ck.residentTensor(t)).to.throw(RangeError, 'was its buffer detached');
  });

  it('releaseTensor of an ordinary tensor does nothing', () => {
    const pool = new ck.MaxPool2D({ poolSize: 2 });
    const t = new ck.Tensor(x.data.slice(), x.shape);
    ck.releaseTensor(t);
    expect(bits(pool.forward(t))).to.deep.equal(bits(pool.forward(x)));
  });
});

describe('residentTensor on the wasm backend', function () {
  if (!onWasm()) return;
  const x = new ck.Tensor(randomArray(3 * 16 * 16 * 8, 11), [3, 16, 16, 8]);

  it('lives in the module memory of a threaded build, and its block comes back when released', () => {
    expect(ck.backendInfo().isa).to.match(/threads/);
    const before = allocated();
    const r = ck.residentTensor(x);
    expect(wasmMemory(r), 'a view of the shared module memory').to.equal(true);
    expect(allocated()).to.equal(before + Math.ceil((x.size * 4) / 64) * 64);
    new ck.MaxPool2D({ poolSize: 2 }).forward(r);
    ck.releaseTensor(r);
    expect(allocated()).to.equal(before);
  });

  it('a released tensor is refused, sync and async, instead of reading memory reused since', async () => {
    const pool = new ck.MaxPool2D({ poolSize: 2 });
    const r = ck.residentTensor(x);
    ck.releaseTensor(r);
    expect(() => pool.forward(r)).to.throw(TypeError, 'Expected a tensor that has not been released (releaseTensor)');
    let failure: unknown = null;
    try {
      await pool.forwardAsync(r);
    } catch (e) {
      failure = e;
    }
    expect(failure).to.be.instanceOf(TypeError);
    ck.releaseTensor(r); // again: nothing happens
  });

  it('stays allocated while an async call that reads it runs, though released meanwhile', async () => {
    const conv = new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', seed: 12 });
    const big = new ck.Tensor(randomArray(2 * 48 * 48 * 32, 13), [2, 48, 48, 32]);
    const want = bits(conv.forward(big));
    const before = allocated();
    const r = ck.residentTensor(big);
    const engine = (backend() as unknown as { engine: { residentPtr(x: Float32Array): number; arena: { used: Map<number, number> } } }).engine;
    const block = engine.residentPtr(r.data);
    const pending = conv.forwardAsync(r);
    ck.releaseTensor(r);
    expect(allocated(), 'the block is kept until the call settles').to.be.at.least(before + big.size * 4);
    expect(engine.arena.used.has(block), 'kept while the call runs').to.equal(true);
    expect(bits(await pending)).to.deep.equal(want);
    // Freed once it settles. The total is not compared with `before`: while the call was in
    // flight the collector may have freed blocks of operators and weights that earlier tests
    // dropped (their finalizers run between tasks).
    expect(engine.arena.used.has(block), 'freed once it settles').to.equal(false);
    expect(allocated()).to.be.at.most(before);
  });

  it('is an ordinary copy on a build without shared memory (its growth would detach a view)', () => {
    const isa = ck.backendInfo().isa;
    expect(backend().selectIsa('wasm-simd')).to.equal(true);
    try {
      const r = ck.residentTensor(x);
      expect(r.data.buffer).to.not.be.instanceOf(SharedArrayBuffer);
      expect(bits(r)).to.deep.equal(bits(x));
      ck.releaseTensor(r);
    } finally {
      backend().selectIsa(isa);
    }
  });

  it('made on wasm, is read by the native backend as an ordinary array and released through wasm', async function () {
    if (!ck.backends().includes('native')) {
      console.log('      skipped: the native backend does not load here');
      return this.skip();
    }
    const pool = new ck.MaxPool2D({ poolSize: 2 });
    const want = bits(pool.forward(x));
    const before = blocksInUse(backend());
    const r = ck.residentTensor(x);
    await ck.setBackend('native');
    try {
      expect(bits(pool.forward(r))).to.deep.equal(want);
      ck.releaseTensor(r);
    } finally {
      await ck.setBackend('wasm');
    }
    expectNoNewBlocks(backend(), before, 'the resident block');
  });
});
