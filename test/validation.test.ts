// Bad input: a clear TypeError or RangeError naming the option and the value, thrown before any
// kernel runs, from the facade; and the same protection again at the N-API boundary, where no
// argument may crash the process.
import * as chai from 'chai';
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { outputExtent } from '../lib/shape';
import { skipWithoutNative } from './helpers/backends';
import { rng, randomInt, pick } from './helpers/random';

const img = (n: number, h: number, w: number, c: number) => new ck.Tensor(new Float32Array(n * h * w * c), [n, h, w, c]);

function throws(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  expect(fn).to.throw(type, message);
}

describe('validation in the facade', () => {
  describe('Tensor', () => {
    it('rejects data that is not a Float32Array', () =>
      throws(() => new ck.Tensor([1, 2] as unknown as Float32Array, [2]), TypeError, /Expected Float32Array for data but received \[1, 2\] of type array/));
    it('rejects a Float64Array', () => throws(() => new ck.Tensor(new Float64Array(2) as unknown as Float32Array, [2]), TypeError, /Float64Array/));
    it('rejects zero, negative and non-integer sizes', () => {
      throws(() => new ck.Tensor(new Float32Array(0), [0]), RangeError, /positive integer for shape\[0\] but received 0/);
      throws(() => new ck.Tensor(new Float32Array(2), [-2]), RangeError, /shape\[0\] but received -2/);
      throws(() => new ck.Tensor(new Float32Array(2), [1.5, 2]), RangeError, /shape\[0\] but received 1.5/);
    });
    it('rejects a shape that is not an array', () => throws(() => new ck.Tensor(new Float32Array(2), 2 as unknown as number[]), TypeError, /shape/));
    it('rejects data whose length does not match the shape', () =>
      throws(() => new ck.Tensor(new Float32Array(5), [2, 3]), RangeError, /length 6 for shape \[2, 3\] but received length 5/));
  });

  describe('Conv2D options', () => {
    const ok = { filters: 4, kernelSize: 3 };
    it('filters', () => {
      throws(() => new ck.Conv2D({ ...ok, filters: -3 }), RangeError, /^Expected positive integer for filters but received -3 of type number$/);
      throws(() => new ck.Conv2D({ ...ok, filters: '3' as unknown as number }), TypeError, /filters but received '3' of type string/);
      throws(() => new ck.Conv2D({ ...ok, filters: 2.5 }), RangeError, /filters but received 2.5/);
    });
    it('kernelSize, strides, dilationRate', () => {
      throws(() => new ck.Conv2D({ ...ok, kernelSize: 0 }), RangeError, /kernelSize but received 0/);
      throws(() => new ck.Conv2D({ ...ok, kernelSize: [3] as unknown as number }), TypeError, /number or \[h, w\] array for kernelSize/);
      throws(() => new ck.Conv2D({ ...ok, strides: [1, 0] }), RangeError, /strides\[1\] but received 0/);
      throws(() => new ck.Conv2D({ ...ok, dilationRate: NaN }), RangeError, /dilationRate but received NaN/);
    });
    it('padding', () => {
      throws(() => new ck.Conv2D({ ...ok, padding: 'full' as ck.Padding }), RangeError, /'valid', 'same' or \[top, bottom, left, right\] for padding but received 'full'/);
      throws(() => new ck.Conv2D({ ...ok, padding: [1, 2] as unknown as ck.Padding }), TypeError, /padding but received \[1, 2\]/);
      throws(() => new ck.Conv2D({ ...ok, padding: [1, -1, 0, 0] }), RangeError, /non-negative integer for padding\[1\] but received -1/);
    });
    it('activation and useBias', () => {
      throws(() => new ck.Conv2D({ ...ok, activation: 'celu' as ck.ActivationName }), RangeError, /one of 'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'relu6', .* for activation but received 'celu'/);
      throws(() => new ck.Conv2D({ ...ok, useBias: 'yes' as unknown as boolean }), TypeError, /boolean for useBias/);
    });
    it('kernel and bias of the wrong type or length', () => {
      throws(() => new ck.Conv2D({ ...ok, kernel: new Float32Array(3 * 3 * 4 + 1) }), RangeError, /multiple of 36 .*received length 37/);
      throws(() => new ck.Conv2D({ ...ok, kernel: new Float64Array(36) as unknown as Float32Array }), TypeError, /Float32Array for kernel/);
      throws(() => new ck.Conv2D({ ...ok, bias: new Float32Array(3) }), RangeError, /length 4 for bias but received length 3/);
      throws(() => new ck.Conv2D({ ...ok, useBias: false, bias: new Float32Array(4) }), TypeError, /useBias is false/);
    });
    it('options that are not an object', () => throws(() => new ck.Conv2D(undefined as unknown as ck.Conv2DOptions), TypeError, /options object/));
  });

  describe('layer inputs', () => {
    it('wrong rank', () => {
      throws(() => new ck.Conv2D({ filters: 2, kernelSize: 1 }).forward(new ck.Tensor(new Float32Array(6), [2, 3])), RangeError, /rank 4 \(NHWC\) but received shape \[2, 3\]/);
      throws(() => new ck.MaxPool2D().forward(new ck.Tensor(new Float32Array(6), [6])), RangeError, /MaxPool2D input of rank 4/);
      throws(() => new ck.Dense({ units: 2 }).forward(new ck.Tensor(new Float32Array(6), [6])), RangeError, /rank >= 2/);
    });
    it('not a Tensor', () => throws(() => new ck.Dense({ units: 2 }).forward(new Float32Array(4) as unknown as ck.Tensor), TypeError, /Expected Tensor for Dense input but received a Float32Array/));
    it('channel mismatch with the kernel', () => {
      const conv = new ck.Conv2D({ filters: 2, kernelSize: 3, kernel: new Float32Array(3 * 3 * 5 * 2) });
      throws(() => conv.forward(img(1, 4, 4, 3)), RangeError, /5 channels for Conv2D .*\[3, 3, 5, 2\].*\[1, 4, 4, 3\]/);
      const learned = new ck.Conv2D({ filters: 2, kernelSize: 1 });
      learned.forward(img(1, 2, 2, 3));
      throws(() => learned.forward(img(1, 2, 2, 4)), RangeError, /3 channels/);
    });
    it('feature mismatch in Dense', () => {
      const fc = new ck.Dense({ units: 2, kernel: new Float32Array(10 * 2) });
      throws(() => fc.forward(img(1, 2, 2, 3)), RangeError, /10 features for Dense .*\[1, 2, 2, 3\]/);
    });
    it('output size below 1', () => {
      throws(() => new ck.Conv2D({ filters: 1, kernelSize: 5 }).forward(img(1, 3, 3, 1)), RangeError, /Conv2D output size of at least 1x1 .*gives -?0x-?0|gives 0x0/);
      throws(() => new ck.MaxPool2D({ poolSize: 4 }).outputShape([1, 3, 9, 1]), RangeError, /MaxPool2D output size/);
    });
    it('a pooling window made only of padding', () => {
      throws(() => new ck.MaxPool2D({ poolSize: 2, strides: 1, padding: [3, 0, 0, 0] }).forward(img(1, 4, 4, 1)), RangeError, /covers only padding/);
      throws(() => new ck.MaxPool2D({ poolSize: [1, 4], strides: 2, dilationRate: 2, padding: [0, 0, 3, 5] }).forward(img(1, 2, 1, 1)), RangeError, /column 0 covers only padding/);
    });
  });

  describe('other entry points', () => {
    it('MaxPool2D and Dense options', () => {
      throws(() => new ck.MaxPool2D({ poolSize: 0 }), RangeError, /poolSize but received 0/);
      throws(() => new ck.Dense({ units: 0 }), RangeError, /units but received 0/);
      throws(() => new ck.MaxPool2D().setWeights({ kernel: new Float32Array(1) }), TypeError, /no weights/);
    });
    it('Sequential', () => {
      throws(() => new ck.Sequential([]), TypeError, /non-empty array of layers/);
      throws(() => new ck.Sequential([{} as ck.Layer]), TypeError, /layer for layers\[0\]/);
    });
    it('gemm', () => {
      const a = new ck.Tensor(new Float32Array(6), [2, 3]);
      throws(() => ck.gemm(a, a), RangeError, /inner dimensions/);
      throws(() => ck.gemm(a, new ck.Tensor(new Float32Array(6), [3, 2]), { c: new ck.Tensor(new Float32Array(3), [3]) }), RangeError, /broadcast to \[2, 2\]/);
      throws(() => ck.gemm(a, new ck.Tensor(new Float32Array(6), [3, 2]), { alpha: Infinity }), RangeError, /finite number for alpha/);
    });
    it('threads and backends', async () => {
      throws(() => ck.setNumThreads(0), RangeError, /threads but received 0/);
      throws(() => ck.setNumThreads(100), RangeError, /integer in \[1, 64\] for threads but received 100/);
      let error: unknown;
      await ck.setBackend('gpu' as ck.BackendName).catch((e) => (error = e));
      expect(error).to.be.instanceOf(RangeError).with.property('message').match(/'native', 'wasm' for backend name but received 'gpu'/);
    });
  });
});

describe('validation at the N-API boundary (native)', function () {
  if (skipWithoutNative()) return;
  const b = () => backend();
  const f = (n: number) => new Float32Array(n);
  const conv = { n: 1, h: 4, w: 4, c: 2, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 2, ow: 2, oc: 3, activation: 0 };
  const packed = () => b().packWeights(f(3 * 3 * 2 * 3), { k: 18, n: 3 });
  let nativeAddon: Record<string, (...a: unknown[]) => unknown>;
  before(async () => {
    await ck.setBackend('native');
    nativeAddon = b() as unknown as Record<string, (...a: unknown[]) => unknown>;
  });

  it('accepts a well-formed call', () => {
    expect(b().conv2d(f(32), packed(), null, conv)).to.have.length(12);
  });
  it('wrong array types', () => {
    throws(() => nativeAddon.conv2d(new Float64Array(32), packed(), null, conv), TypeError, /Float32Array for x/);
    throws(() => nativeAddon.conv2d(f(32), [1, 2], null, conv), TypeError, /packed by the native backend for packedWeights/);
    throws(() => nativeAddon.conv2d(f(32), f(18 * 16), null, conv), TypeError, /packed by the native backend for packedWeights/);
    throws(() => nativeAddon.conv2d(f(32), packed(), 'bias', conv), TypeError, /Float32Array for bias/);
  });
  it('wrong lengths', () => {
    throws(() => b().conv2d(f(31), packed(), null, conv), RangeError, /32 elements in x but received 31/);
    throws(() => b().conv2d(f(32), b().packWeights(f(20 * 3), { k: 20, n: 3 }), null, conv), RangeError, /packedWeights of a 18 x 3 kernel but received one of 20 x 3/);
    throws(() => b().conv2d(f(32), packed(), f(2), conv), RangeError, /3 elements in bias/);
  });
  it('released packed weights', () => {
    const w = packed();
    b().release(w);
    throws(() => nativeAddon.conv2d(f(32), w, null, conv), TypeError, /not been released/);
  });
  it('output size that does not match the window', () => {
    throws(() => b().conv2d(f(32), packed(), null, { ...conv, oh: 3 }), RangeError, /params.oh to be 2/);
  });
  it('missing, negative, fractional and huge fields', () => {
    const { kh: _kh, ...noKh } = conv;
    throws(() => nativeAddon.conv2d(f(32), packed(), null, noKh), TypeError, /number for params.kh but received undefined/);
    throws(() => b().conv2d(f(32), packed(), null, { ...conv, c: -2 }), RangeError, /params.c/);
    throws(() => b().conv2d(f(32), packed(), null, { ...conv, sh: 1.5 }), RangeError, /params.sh/);
    throws(() => b().conv2d(f(32), packed(), null, { ...conv, activation: 99 }), RangeError, /params.activation/);
    throws(() => b().conv2d(f(32), packed(), null, { ...conv, n: 2 ** 31, h: 2 ** 31, w: 2 ** 31, oh: 2 ** 31 - 2, ow: 2 ** 31 - 2 }), RangeError, /to have at most 2\^53 elements/);
    throws(() => nativeAddon.conv2d(f(32), packed(), null, null), TypeError, /object for params/);
  });
  it('a detached input buffer', () => {
    const x = f(32);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    throws(() => b().conv2d(x, packed(), null, conv), RangeError, /32 elements in x but received 0/);
  });
  it('a params getter that detaches the input (params are read before the arrays)', () => {
    const x = f(32);
    const p = { ...conv };
    Object.defineProperty(p, 'activation', { enumerable: true, get: () => (structuredClone(x.buffer, { transfer: [x.buffer] }), 0) });
    throws(() => b().conv2d(x, packed(), null, p), RangeError, /32 elements in x but received 0/);
  });
  it('a pooling window made only of padding', () => {
    const p = { n: 1, h: 2, w: 1, c: 1, kh: 1, kw: 4, sh: 2, sw: 2, dh: 2, dw: 2, pt: 0, pb: 0, pl: 3, pr: 5, oh: 1, ow: 2 };
    throws(() => b().maxpool2d(f(2), p), RangeError, /at least one input cell/);
  });
  it('gemm with a C that does not broadcast', () => {
    const p = { m: 2, n: 2, k: 3, transA: false, transB: false, alpha: 1, beta: 1, cRows: 3, cCols: 2, activation: 0 };
    throws(() => b().gemm(f(6), f(6), f(6), p), RangeError, /broadcast/);
    throws(() => nativeAddon.gemm(f(6), f(6), null, { ...p, transA: 1 }), TypeError, /boolean for params.transA/);
  });
  it('gemmInto: out of the wrong type or length, or sharing memory with an input', () => {
    const p = { m: 2, n: 2, k: 3, transA: false, transB: false, alpha: 1, beta: 1, cRows: 1, cCols: 2, activation: 0 };
    const a = f(6), bm = f(6), c = f(2);
    expect(nativeAddon.gemmInto(a, bm, c, p, f(4))).to.have.length(4);
    throws(() => nativeAddon.gemmInto(a, bm, c, p, new Float64Array(4)), TypeError, /Float32Array for out/);
    throws(() => nativeAddon.gemmInto(a, bm, c, p, undefined), TypeError, /Float32Array for out/);
    throws(() => nativeAddon.gemmInto(a, bm, c, p, f(5)), RangeError, /4 elements in out but received 5/);
    throws(() => nativeAddon.gemmInto(a, bm, c, p, a.subarray(2)), RangeError, /share no memory with the inputs/);
    throws(() => nativeAddon.gemmInto(a, bm, null, p, new Float32Array(bm.buffer, 8, 4)), RangeError, /share no memory/);
    throws(() => nativeAddon.gemmInto(a, bm, f(3), p, f(4)), RangeError, /2 elements in c but received 3/);
    const big = f(12);
    throws(() => nativeAddon.gemmInto(big.subarray(0, 6), bm, c, p, big.subarray(5, 9)), RangeError, /share no memory/);
    expect(nativeAddon.gemmInto(big.subarray(0, 6), bm, c, p, big.subarray(6, 10))).to.have.length(4);
    const detached = f(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    throws(() => nativeAddon.gemmInto(a, bm, c, p, detached), RangeError, /4 elements in out but received 0/);
  });
  it('async entry points throw argument errors synchronously', () => {
    throws(() => b().conv2dAsync(f(31), packed(), null, conv), RangeError, /elements in x/);
  });

  // The backward calls: x, dy, y (required but for a linear activation) and the unpacked kernel.
  const grad = { ...conv, bias: true };
  it('backward calls: a well-formed call, and each array of the wrong type or length', () => {
    const g = b().conv2dBackward(f(32), f(12), null, f(54), grad);
    expect([g.dx.length, g.dw.length, g.db?.length]).to.deep.equal([32, 54, 3]);
    expect(b().denseBackward(f(6), f(4), f(4), f(6), { m: 2, k: 3, n: 2, activation: 1, bias: false }).db).to.equal(null);
    throws(() => b().conv2dBackward(new Float64Array(32) as never, f(12), null, f(54), grad), TypeError, /Float32Array for x/);
    throws(() => b().conv2dBackward(f(32), f(11), null, f(54), grad), RangeError, /12 elements in dy but received 11/);
    // Without y the call runs the forward, from the packed weights it then needs.
    throws(() => b().conv2dBackward(f(32), f(12), null, f(54), { ...grad, activation: 2 }), TypeError, /packed by the native backend for packedWeights/);
    throws(() => b().conv2dBackward(f(32), f(12), null, f(54), { ...grad, activation: 2 }, { packed: packed(), bias: f(2) }), RangeError, /3 elements in bias/);
    throws(() => b().conv2dBackward(f(32), f(12), f(13), f(54), { ...grad, activation: 1 }), RangeError, /12 elements in y/);
    throws(() => b().conv2dBackward(f(32), f(12), null, f(18), grad), RangeError, /54 elements in kernel/);
    throws(() => b().conv2dBackward(f(32), f(12), null, f(54), { ...grad, bias: 1 as never }), TypeError, /boolean for params.bias/);
    throws(() => b().conv2dBackwardAsync(f(32), f(12), null, f(54), { ...grad, oh: 3 }), RangeError, /params.oh to be 2/);
    throws(() => b().denseBackwardAsync(f(6), f(4), null, f(5), { m: 2, k: 3, n: 2, activation: 0, bias: true }), RangeError, /6 elements in kernel/);
    const pool = { n: 1, h: 4, w: 4, c: 2, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 2, ow: 2 };
    expect(b().maxpool2dBackward(f(32), f(8), pool)).to.have.length(32);
    throws(() => b().maxpool2dBackward(f(32), f(7), pool), RangeError, /8 elements in dy/);
    const empty = { n: 1, h: 2, w: 1, c: 1, kh: 1, kw: 4, sh: 2, sw: 2, dh: 2, dw: 2, pt: 0, pb: 0, pl: 3, pr: 5, oh: 1, ow: 2 };
    throws(() => b().maxpool2dBackwardAsync(f(2), f(2), empty), RangeError, /at least one input cell/);
  });
  it('backward calls: a dy detached by a params getter (params are read before the arrays)', () => {
    const dy = f(12);
    const p = { ...grad };
    Object.defineProperty(p, 'bias', { enumerable: true, get: () => (structuredClone(dy.buffer, { transfer: [dy.buffer] }), true) });
    throws(() => b().conv2dBackward(f(32), dy, null, f(54), p), RangeError, /12 elements in dy but received 0/);
  });
  it('backward calls survive 500 random params: the gradients or a JS error', () => {
    const r = rng(11);
    let ran = 0;
    for (let i = 0; i < 500; i++) {
      const c = randomInt(r, 1, 3), h = randomInt(r, 1, 6), w = randomInt(r, 1, 6), kh = randomInt(r, 1, 3), kw = randomInt(r, 1, 3);
      const p: Record<string, unknown> = { ...grad, c, h, w, kh, kw, pt: randomInt(r, 0, 2), pl: randomInt(r, 0, 2), sh: randomInt(r, 1, 2), dw: randomInt(r, 1, 2) };
      p.oh = Math.floor((h + (p.pt as number) - kh) / (p.sh as number)) + 1;
      p.ow = Math.floor((w + (p.pl as number) - ((kw - 1) * (p.dw as number) + 1)) / (p.sw as number)) + 1;
      if (r() < 0.3) p[pick(r, Object.keys(p))] = pick(r, [0, -1, 1.5, NaN, 2 ** 40, '2', null]);
      const size = (n: number) => f(Math.max(0, n + (r() < 0.1 ? randomInt(r, -1, 1) : 0)));
      const outputs = (p.oh as number) * (p.ow as number) * 3;
      try {
        const g = b().conv2dBackward(size(h * w * c), size(outputs), r() < 0.5 ? null : size(outputs), size(kh * kw * c * 3), p as never);
        expect(g.dx).to.have.length(h * w * c);
        ran++;
      } catch (e) {
        expect(e).to.be.instanceOf(Error);
        expect(e instanceof TypeError || e instanceof RangeError, String(e)).to.equal(true);
      }
    }
    expect(ran).to.be.greaterThan(50);
  });

  it('gemmInto survives 1000 random calls, out often overlapping an input: the result or a JS error', () => {
    const r = rng(7);
    let threw = 0, ran = 0;
    for (let i = 0; i < 1000; i++) {
      const m = randomInt(r, 1, 5), n = randomInt(r, 1, 40), k = randomInt(r, 1, 9);
      const p: Record<string, unknown> = { m, n, k, transA: false, transB: false, alpha: 1, beta: 1, cRows: 1, cCols: n, activation: 0 };
      if (r() < 0.2) p[pick(r, Object.keys(p))] = pick(r, [0, -1, 1.5, NaN, 2 ** 40, '2', null]);
      // a, b, c and out as views of one buffer, at offsets that sometimes make them overlap.
      const pool = f(m * k + k * n + n + m * n + 8).map(() => r() - 0.5);
      const at = (offset: number, length: number) => pool.subarray(Math.min(offset, pool.length - length), Math.min(offset, pool.length - length) + length);
      const shift = () => (r() < 0.3 ? randomInt(r, -3, 3) : 0);
      const a = at(0, m * k), bm = at(m * k + Math.max(0, shift()), k * n), c = at(m * k + k * n + 2, n);
      const outLength = r() < 0.1 ? m * n + 1 : m * n;
      const out = at(Math.max(0, m * k + k * n + n + 4 + shift() * 3 - (r() < 0.15 ? m * n : 0)), outLength);
      const cArg = r() < 0.5 ? null : c;
      try {
        nativeAddon.gemmInto(a, bm, cArg, p, out);
        ran++;
        // Accepted: out shares nothing with the inputs, so they are unchanged and gemm agrees.
        expect(Array.from(out)).to.deep.equal(Array.from(nativeAddon.gemm(a, bm, cArg, p) as Float32Array));
      } catch (e) {
        if (e instanceof chai.AssertionError) throw e;
        expect(e).to.satisfy((err: unknown) => err instanceof TypeError || err instanceof RangeError);
        threw++;
      }
    }
    expect(threw, 'some calls must be refused').to.be.greaterThan(50);
    expect(ran, 'some calls must get through to the kernels').to.be.greaterThan(300);
  });
  it('survives 3000 random calls: each returns or throws a JS error, never crashes', () => {
    const r = rng(99);
    const junk = () => pick(r, [0, -1, 1.5, NaN, 2 ** 31, 2 ** 40, '2', null, undefined, true]);
    let threw = 0, ran = 0;
    for (let i = 0; i < 3000; i++) {
      // A consistent call, then (usually) one or two fields or lengths broken.
      const p: Record<string, number | unknown> = {};
      for (const key of ['n', 'h', 'w', 'c', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'oc']) p[key] = randomInt(r, 1, 4);
      for (const key of ['pt', 'pb', 'pl', 'pr']) p[key] = randomInt(r, 0, 2);
      p.activation = randomInt(r, 0, 1);
      const q = p as Record<string, number>;
      p.oh = outputExtent(q.h, q.kh, q.sh, q.dh, q.pt, q.pb);
      p.ow = outputExtent(q.w, q.kw, q.sw, q.dw, q.pl, q.pr);
      const op = pick(r, ['conv2d', 'maxpool2d', 'dense'] as const);
      const k = op === 'dense' ? q.h : q.kh * q.kw * q.c;
      // x, the kernel's rows (packed as k x oc) and the bias.
      const lengths = [op === 'dense' ? q.n * q.h : q.n * q.h * q.w * q.c, k, q.oc];
      for (let breaks = r() < 0.75 ? randomInt(r, 1, 2) : 0; breaks > 0; breaks--) {
        if (r() < 0.5) p[pick(r, Object.keys(p))] = junk();
        else lengths[randomInt(r, 0, 2)] += randomInt(r, -1, 1) || 1;
      }
      const arrays = lengths.map((n) => f(Number.isInteger(n) && n >= 1 && n < 1e6 ? n : 1));
      const units = Number.isInteger(q.oc) && q.oc >= 1 && q.oc <= 4 ? q.oc : 1;
      const weights = b().packWeights(f(arrays[1].length * units), { k: arrays[1].length, n: units });
      try {
        if (op === 'maxpool2d') nativeAddon.maxpool2d(arrays[0], p);
        else if (op === 'dense') nativeAddon.dense(arrays[0], weights, r() < 0.5 ? null : arrays[2], { m: p.n, k: p.h, n: p.oc, activation: p.activation });
        else nativeAddon.conv2d(arrays[0], weights, r() < 0.5 ? null : arrays[2], p);
        ran++;
      } catch (e) {
        expect(e).to.satisfy((err: unknown) => err instanceof TypeError || err instanceof RangeError);
        threw++;
      }
    }
    expect(threw).to.be.greaterThan(0);
    expect(ran, 'some calls must get through to the kernels').to.be.greaterThan(300);
    expect(ran + threw).to.equal(3000);
  });
});
