// The browser bundle (dist/browser/convkit.mjs) in headless Chromium: Conv2D, MaxPool2D and
// Dense computed in the page, compared with the float64 reference here. Once on a
// crossOriginIsolated page (shared memory, Web Workers) and once on a plain page (one thread).
import { expect } from 'chai';
import { resolveWindow } from '../lib/shape';
import { expectClose, expectExact } from './helpers/assert';
import { launchChromium, openExample, serveBundle, withChromium } from './helpers/browser';
import { randomArray } from './helpers/random';
import { conv2dRef, denseRef, maxpool2dRef } from '../suite/reference';

interface PageResult {
  info: { name: string; isa: string; threads: number };
  isolated: boolean;
  conv: number[]; convAsync: number[]; pool: number[]; dense: number[];
}

const X = randomArray(2 * 11 * 9 * 5, 1), KERNEL = randomArray(3 * 3 * 5 * 18, 2), BIAS = randomArray(18, 3);
const FC = randomArray(6 * 5 * 18 * 7, 4), FC_BIAS = randomArray(7, 5);

/**
 * Runs in the page: the same three layers through the bundle. Plain JavaScript in a string: the
 * test's own compiled functions carry helpers (tsx's __name) that the page does not have.
 */
const IN_PAGE = `async (args) => {
  const ck = await import('/convkit.mjs');
  await ck.ready();
  const f = (a) => new Float32Array(a);
  const x = new ck.Tensor(f(args.x), [2, 11, 9, 5]);
  const conv = new ck.Conv2D({ filters: 18, kernelSize: 3, padding: 'same', activation: 'relu', kernel: f(args.kernel), bias: f(args.bias) });
  const y = conv.forward(x);
  const yAsync = await conv.forwardAsync(x);
  const pooled = new ck.MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }).forward(y);
  const dense = new ck.Dense({ units: 7, kernel: f(args.fc), bias: f(args.fcBias) }).forward(pooled);
  return {
    info: ck.backendInfo(), isolated: globalThis.crossOriginIsolated === true,
    conv: Array.from(y.data), convAsync: Array.from(yAsync.data), pool: Array.from(pooled.data), dense: Array.from(dense.data),
  };
}`;

/** In the page: each smooth activation on a Dense, and a fit of three blobs (sparse labels). */
const TRAIN_IN_PAGE = `async (args) => {
  const ck = await import('/convkit.mjs');
  await ck.ready();
  const f = (a) => new Float32Array(a);
  const x = new ck.Tensor(f(args.x), [30, 3]);
  const outputs = {};
  for (const activation of ['sigmoid', 'tanh', 'softmax']) {
    outputs[activation] = Array.from(new ck.Dense({ units: 4, activation, kernel: f(args.kernel) }).forward(x).data);
  }
  const model = new ck.Sequential([new ck.Dense({ units: 8, activation: 'relu', seed: 1 }), new ck.Dense({ units: 3, activation: 'softmax', seed: 2 })]);
  model.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: 'sparseCategoricalCrossentropy' });
  const { history } = await model.fit(x, new Int32Array(args.labels), { epochs: 30, batchSize: 8, seed: 3, verbose: 0 });
  return { outputs, history };
}`;

/**
 * In the page: D1's Dense (8 x 24576 -> 32, relu), whose K the wasm plan splits into chunks, on
 * two threads: forwardAsync first (it waits for the Web Workers), then forward (the page's
 * thread spins while the workers finish). Arrays travel as base64 of their float32 bytes.
 */
const SPLIT_K_IN_PAGE = `async (args) => {
  const ck = await import('/convkit.mjs');
  await ck.ready();
  const f = (b64) => new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer);
  ck.setNumThreads(2);
  const dense = new ck.Dense({ units: 32, activation: 'relu', kernel: f(args.kernel), bias: f(args.bias) });
  const x = new ck.Tensor(f(args.x), [8, 24576]);
  const yAsync = await dense.forwardAsync(x);
  const y = dense.forward(x);
  return { info: ck.backendInfo(), y: Array.from(y.data), yAsync: Array.from(yAsync.data) };
}`;

const base64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('the browser bundle in headless Chromium', function () {
  if (!withChromium()) return;
  this.timeout(120000);
  let server: Awaited<ReturnType<typeof serveBundle>>;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  before(async () => {
    server = await serveBundle();
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  const expectedConv = conv2dRef(X, [2, 11, 9, 5], KERNEL, 18, resolveWindow([3, 3], [1, 1], [1, 1], 'same', 11, 9), BIAS, 'relu');
  // The pool and dense references take convkit's conv output as their input, so each layer is
  // checked on its own.
  for (const page of ['isolated', 'plain'] as const) {
    it(`${page === 'isolated' ? 'a crossOriginIsolated page (threads)' : 'a plain page (one thread)'}: Conv2D, MaxPool2D, Dense match the reference`, async () => {
      const tab = await chromium.browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e: Error) => errors.push(e.message));
      await tab.goto(`${server.url}/${page}.html`);
      const args = { x: Array.from(X), kernel: Array.from(KERNEL), bias: Array.from(BIAS), fc: Array.from(FC), fcBias: Array.from(FC_BIAS) };
      const r: PageResult = await tab.evaluate(`(${IN_PAGE})(${JSON.stringify(args)})`);
      await tab.close();
      expect(errors).to.deep.equal([]);
      expect(r.info.name).to.equal('wasm');
      expect(r.isolated).to.equal(page === 'isolated');
      // Chromium validates relaxed SIMD: the isolated page runs the relaxed build, so these oracle
      // checks cover it; the plain page (no shared memory) runs plain SIMD.
      expect(r.info.isa).to.equal(page === 'isolated' ? 'wasm-relaxed-simd-threads' : 'wasm-simd');
      if (page === 'plain') expect(r.info.threads).to.equal(1);
      expectClose(Float32Array.from(r.conv), expectedConv, 45, 'conv');
      expect(r.convAsync).to.deep.equal(r.conv);
      const conv = Float32Array.from(r.conv);
      expectExact(Float32Array.from(r.pool), maxpool2dRef(conv, [2, 11, 9, 18], resolveWindow([3, 3], [2, 2], [1, 1], 'same', 11, 9)).data, 'pool');
      const pool = Float32Array.from(r.pool);
      expectClose(Float32Array.from(r.dense), denseRef(pool, 2, 6 * 5 * 18, FC, 7, FC_BIAS, 'linear'), 6 * 5 * 18, 'dense');
    });

    it(`${page}: sigmoid, tanh and softmax match the reference, and fit learns three blobs`, async () => {
      const tab = await chromium.browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e: Error) => errors.push(e.message));
      await tab.goto(`${server.url}/${page}.html`);
      // Three blobs: class i lies +3 along axis i.
      const labels = Array.from({ length: 30 }, (_, i) => i % 3);
      const x = Float32Array.from(randomArray(90, 6), (v, i) => 0.5 * v + (i % 3 === labels[Math.floor(i / 3)] ? 3 : 0));
      const kernel = randomArray(12, 7);
      const r: { outputs: Record<'sigmoid' | 'tanh' | 'softmax', number[]>; history: { loss: number[]; accuracy: number[] } } =
        await tab.evaluate(`(${TRAIN_IN_PAGE})(${JSON.stringify({ x: Array.from(x), kernel: Array.from(kernel), labels })})`);
      await tab.close();
      expect(errors).to.deep.equal([]);
      for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
        expectClose(Float32Array.from(r.outputs[activation]), denseRef(x, 30, 3, kernel, 4, null, activation), 3, activation);
      }
      expect(r.history.loss).to.have.length(30);
      expect(r.history.loss[29]).to.be.below(0.05);
      expect(r.history.accuracy[29]).to.equal(1);
    });
  }

  it('a crossOriginIsolated page: a Dense with a split K (D1) on 2 threads matches the reference, sync and async alike', async () => {
    const tab = await chromium.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e: Error) => errors.push(e.message));
    await tab.goto(`${server.url}/isolated.html`);
    const x = randomArray(8 * 24576, 8), kernel = randomArray(24576 * 32, 9), bias = randomArray(32, 10);
    const args = { x: base64(x), kernel: base64(kernel), bias: base64(bias) };
    const r: { info: { isa: string; threads: number }; y: number[]; yAsync: number[] } = await tab.evaluate(`(${SPLIT_K_IN_PAGE})(${JSON.stringify(args)})`);
    await tab.close();
    expect(errors).to.deep.equal([]);
    expect(r.info).to.deep.include({ isa: 'wasm-relaxed-simd-threads', threads: 2 });
    expectClose(Float32Array.from(r.y), denseRef(x, 8, 24576, kernel, 32, bias, 'relu'), 24576, 'dense');
    expect(r.yAsync).to.deep.equal(r.y);
  });

  it('a page without DecompressionStream runs a SIMD build (the bundle inflates its builds itself)', async () => {
    const tab = await chromium.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e: Error) => errors.push(e.message));
    await tab.goto(`${server.url}/plain.html`);
    const args = { x: Array.from(X), kernel: Array.from(KERNEL), bias: Array.from(BIAS), fc: Array.from(FC), fcBias: Array.from(FC_BIAS) };
    const r: PageResult = await tab.evaluate(`(async () => { delete globalThis.DecompressionStream; return (${IN_PAGE})(${JSON.stringify(args)}); })()`);
    await tab.close();
    expect(errors).to.deep.equal([]);
    expect(r.info.isa).to.equal('wasm-simd');
    expectClose(Float32Array.from(r.conv), expectedConv, 45, 'conv');
  });
});

describe('examples/browser in headless Chromium', function () {
  if (!withChromium()) return;
  this.timeout(120000);

  it('runs the small CNN on the demo image and shows the backend and timing', async () => {
    const { tab, errors, close } = await openExample('browser');
    try {
      await tab.waitForFunction(() => document.getElementById('backend')!.textContent!.startsWith('backend:'));
      await tab.click('#demo');
      await tab.waitForSelector('body[data-done="true"]');
      const backendLine = await tab.textContent('#backend');
      const timingRows = await tab.$$eval('#timing tr', (rows: Element[]) => rows.length);
      const maps = await tab.$$eval('#maps canvas', (c: Element[]) => c.length);
      const output = (await tab.textContent('#output'))!.trim().split(/\s+/);
      if (process.env.CONVKIT_EXAMPLE_SCREENSHOT) await tab.screenshot({ path: process.env.CONVKIT_EXAMPLE_SCREENSHOT, fullPage: true });
      expect(errors).to.deep.equal([]);
      expect(backendLine).to.match(/^backend: wasm \(wasm-relaxed-simd-threads, \d+ threads?\)/);
      expect(timingRows).to.equal(1 + 5 + 1); // header, five layers, total
      expect(maps).to.equal(6);
      expect(output).to.have.length(10);
      output.forEach((v: string) => expect(Number.isFinite(Number(v))).to.equal(true));
    } finally {
      await close();
    }
  });
});
