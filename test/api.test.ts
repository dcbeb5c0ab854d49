// The public API contract: weights, seeds, shapes, backend selection and controls.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { NATIVE_KERNELS } from '../lib/generated/kernels';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { convConfigs } from './helpers/configs';

const ROOT = join(__dirname, '..');
const img = (n: number, h: number, w: number, c: number, seed = 1) => new ck.Tensor(randomArray(n * h * w * c, seed), [n, h, w, c]);

forEachBackend('layer API', () => {
  it('getWeights returns copies; setWeights replaces and re-packs', () => {
    const conv = new ck.Conv2D({ filters: 3, kernelSize: 2, seed: 4 });
    expect(conv.getWeights()).to.deep.equal({ kernel: null, bias: new Float32Array(3) });
    const x = img(1, 4, 4, 2);
    const y1 = conv.forward(x);
    const w = conv.getWeights();
    expect(w.kernel).to.have.length(2 * 2 * 2 * 3);
    w.kernel!.fill(0); // a copy: the layer is unchanged
    expect(Array.from(conv.forward(x).data)).to.deep.equal(Array.from(y1.data));
    conv.setWeights({ kernel: w.kernel!, bias: new Float32Array([1, 2, 3]) });
    const y2 = conv.forward(x);
    for (let i = 0; i < y2.size; i++) expect(y2.data[i]).to.equal((i % 3) + 1);
  });

  it('the same seed gives the same He-uniform weights; another seed does not', () => {
    const make = (seed: number) => {
      const d = new ck.Dense({ units: 50, seed });
      d.forward(new ck.Tensor(new Float32Array(2 * 40), [2, 40]));
      return d.getWeights().kernel!;
    };
    const a = make(7), b = make(7), c = make(8);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    expect(Array.from(a)).not.to.deep.equal(Array.from(c));
    const limit = Math.sqrt(6 / 40);
    expect(Math.max(...a.map(Math.abs))).to.be.at.most(limit).and.above(limit * 0.9);
    expect(Math.abs(a.reduce((s, v) => s + v, 0) / a.length)).to.be.below(limit / 10);
  });

  it('outputShape agrees with forward on random configurations', () => {
    for (const cfg of convConfigs(40, 77)) {
      const conv = new ck.Conv2D({ filters: cfg.oc, kernelSize: cfg.kernelSize, strides: cfg.strides, dilationRate: cfg.dilation, padding: cfg.padding });
      const shape = [cfg.n, cfg.h, cfg.w, cfg.c];
      expect(conv.forward(img(cfg.n, cfg.h, cfg.w, cfg.c)).shape).to.deep.equal(conv.outputShape(shape));
    }
  });

  it("'same' padding keeps ceil(in / stride) and puts the odd cell at the bottom/right", () => {
    // 4x4 input, 2x2 all-ones kernel, stride 1: 'same' pads 0 top/left and 1 bottom/right, so
    // y[0][0] sums x[0..1][0..1] (no top/left padding) and y[3][3] is x[3][3] alone.
    const x = new ck.Tensor(Float32Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    const y = new ck.Conv2D({ filters: 1, kernelSize: 2, padding: 'same', useBias: false, kernel: new Float32Array(4).fill(1) }).forward(x);
    expect(y.shape).to.deep.equal([1, 4, 4, 1]);
    expect(y.data[0]).to.equal(1 + 2 + 5 + 6);
    expect(y.data[15]).to.equal(16);
    expect(new ck.Conv2D({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }).outputShape([1, 7, 8, 1])).to.deep.equal([1, 4, 4, 1]);
  });

  it('Sequential composes output shapes and the issue example runs', async () => {
    const x = new ck.Tensor(new Float32Array(8 * 32 * 48 * 16), [8, 32, 48, 16]);
    const conv = new ck.Conv2D({ filters: 32, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' });
    expect(conv.forward(x).shape).to.deep.equal([8, 32, 48, 32]);
    const model = new ck.Sequential([conv, new ck.MaxPool2D({ poolSize: 2, strides: 2 }), new ck.Dense({ units: 10, activation: 'relu' })]);
    expect(model.outputShape([8, 32, 48, 16])).to.deep.equal([8, 10]);
    expect((await model.forwardAsync(x)).shape).to.deep.equal([8, 10]);
  });
});

describe('backend controls', () => {
  it('getBackend, ready and backendInfo describe the backend in use', async () => {
    const name = ck.getBackend();
    expect(await ck.ready()).to.equal(name);
    const info = ck.backendInfo();
    expect(info.name).to.equal(name);
    expect(info.isas).to.include(info.isa);
    expect(info.isas[info.isas.length - 1]).to.equal('scalar');
    expect(info.version).to.equal(require('../package.json').version);
    expect(info.threads).to.equal(ck.getNumThreads());
  });

  it('setNumThreads changes getNumThreads', () => {
    const before = ck.getNumThreads();
    try {
      ck.setNumThreads(3);
      expect(ck.getNumThreads()).to.equal(3);
      ck.setNumThreads(1);
      expect(ck.getNumThreads()).to.equal(1);
    } finally {
      ck.setNumThreads(before);
    }
  });

  it('lists the instruction sets that are not tested on this machine', () => {
    // The ISAs this architecture's build holds (kernels.json's arch), minus those this CPU runs.
    const built = NATIVE_KERNELS.filter((k) => k.arch === null || k.arch === process.arch).map((k) => k.isa);
    const untested = built.filter((isa) => !ck.backendInfo().isas.includes(isa));
    if (untested.length) console.log(`      note: this CPU cannot run ${untested.join(', ')}; those micro-kernels are not exercised here`);
    expect(ck.backendInfo().isas).to.include('scalar');
  });
});

describe('backend selection at load time (child processes)', () => {
  const probe = `const ck = require('./dist/index.js'); ck.ready().then((b) => console.log(b), (e) => { console.log(e.message); process.exitCode = 3; });`;
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

  it('CONVKIT_BACKEND=native forces native', () => {
    expect(run({ CONVKIT_BACKEND: 'native' }).stdout.trim()).to.equal('native');
  });

  it('CONVKIT_BACKEND=wasm forces wasm', () => {
    expect(run({ CONVKIT_BACKEND: 'wasm' }).stdout.trim()).to.equal('wasm');
  });

  it('CONVKIT_THREADS sets the thread count each backend starts with; a bad value is an error naming it', () => {
    const threads = `const ck = require('./dist/index.js'); ck.ready().then(() => console.log(ck.getNumThreads()), (e) => console.log(e.message));`;
    const count = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', threads], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
    for (const backend of ck.backends()) expect(count({ CONVKIT_BACKEND: backend, CONVKIT_THREADS: '1' }), backend).to.equal('1');
    expect(count({ CONVKIT_THREADS: 'many' })).to.match(/Expected integer in \[1, 64\] for CONVKIT_THREADS but received 'many'/);
  });

  it('native async jobs use every core but one by default; a count set (setNumThreads, CONVKIT_THREADS) holds for them too', function () {
    if (!ck.backends().includes('native')) {
      console.log('      skipped: the native backend does not load here');
      return this.skip();
    }
    const script = `const ck = require('./dist/index.js'); const a = ck.backendInfo(); ck.setNumThreads(2); const b = ck.backendInfo();
      console.log(JSON.stringify([a.threads, a.asyncThreads, b.threads, b.asyncThreads]));`;
    const info = (env: Record<string, string>) => JSON.parse(spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, CONVKIT_BACKEND: 'native', ...env }, encoding: 'utf8' }).stdout);
    const [threads, async, set, setAsync] = info({});
    expect([async, set, setAsync]).to.deep.equal([Math.max(1, threads - 1), 2, 2]);
    expect(info({ CONVKIT_THREADS: '1' }).slice(0, 2)).to.deep.equal([1, 1]);
  });

  it('an unknown CONVKIT_BACKEND is an error naming the value', () => {
    expect(run({ CONVKIT_BACKEND: 'gpu' }).stdout).to.match(/one of 'native', 'wasm' for CONVKIT_BACKEND but received 'gpu'/);
  });

  describe('with the native build hidden (a copy of the package without build/)', () => {
    let copy: string;
    before(() => {
      copy = mkdtempSync(join(tmpdir(), 'convkit-nonative-'));
      cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    });
    after(() => rmSync(copy, { recursive: true, force: true }));
    const inCopy = (env: Record<string, string>) => spawnSync(process.execPath, ['-e',
      `const ck = require('./dist/index.js'); ck.ready().then((b) => console.log(b, JSON.stringify(ck.backendInfo().notes)), (e) => { console.log(e.message); process.exitCode = 3; });`],
    { cwd: copy, env: { ...process.env, ...env }, encoding: 'utf8' });

    it('falls back to wasm and says why native is not used', () => {
      const r = inCopy({});
      expect(r.stdout).to.match(/^wasm \["native: No native build was found/);
      expect(r.stderr).to.match(/CONVKIT_NATIVE_UNAVAILABLE.*convkit is using its WebAssembly backend: native: No native build was found/);
    });

    it('a forced backend that cannot load says what was tried and how to fix it', () => {
      const r = inCopy({ CONVKIT_BACKEND: 'native' });
      expect(r.status).to.equal(3);
      expect(r.stdout).to.match(/no backend could be loaded \(CONVKIT_BACKEND=native\)\. Tried:\n {2}- native: No native build was found[^\n]*\n {4}fix: run `npm rebuild convkit`/);
    });
  });

  it('CommonJS require and ES module import give the same module', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e',
      `import ck, { Conv2D, getBackend } from './esm/index.mjs'; import { createRequire } from 'node:module';
       const cjs = createRequire(import.meta.url)('./dist/index.js');
       console.log(ck === cjs, Conv2D === cjs.Conv2D, getBackend());`], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).to.equal(`true true ${ck.getBackend()}`);
  });
});

describe('the ES module entry', () => {
  it('esm/index.mjs names every export of the CommonJS build (dist/index.js)', () => {
    const script = "import * as esm from './esm/index.mjs'; import cjs from './dist/index.js';" +
      "console.log(JSON.stringify(Object.keys(cjs).filter((k) => !(k in esm))));";
    const missing = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
    expect(missing).to.deep.equal([]);
  });
});
