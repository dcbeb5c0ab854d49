// kernels.json is the one source of what crosses languages: these tests fail when a generated
// mirror or a compiled module drifts from it. Each backend plans for itself: its plans are
// checked for their own invariants (coverage, limits, bounded workspace, same bits).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { type Backend, packedWeightsLength, type Step } from '../lib/backends/backend';
import type { Plan } from '../lib/backends/plan';
import { backend } from '../lib/backends/select';
import { outputExtent } from '../lib/shape';
import type { NativeBackend } from '../lib/backends/native';
import { PATH, WASM_BUILDS } from '../lib/generated/kernels';
import { forEachBackend } from './helpers/backends';

const root = join(__dirname, '..');
const spec = JSON.parse(readFileSync(join(root, 'kernels.json'), 'utf8'));

function skipNoNative(ctx: Mocha.Context): void {
  console.log('      skipped: the native addon is not built');
  ctx.skip();
}

/** The native backend, or undefined when the addon is not built here. */
async function nativeBackend(): Promise<NativeBackend | undefined> {
  if (!ck.backends().includes('native')) return undefined;
  const previous = ck.getBackend();
  await ck.setBackend('native');
  const native = backend() as NativeBackend;
  await ck.setBackend(previous);
  return native;
}

describe('kernels.json and its mirrors', () => {
  it('every generated file is what kernels.json gives (npm run gen)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });

  it('the check names a mirror edited by hand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-gen-'));
    try {
      const r0 = spawnSync(process.execPath, [join(root, 'scripts', 'gen-kernels.mjs'), '--root', dir], { encoding: 'utf8' });
      expect(r0.status, r0.stderr).to.equal(1); // no kernels.json there
      cpSync(join(root, 'kernels.json'), join(dir, 'kernels.json'));
      for (const d of ['native/generated', 'assembly/generated', 'lib/generated']) mkdirSync(join(dir, d), { recursive: true });
      const gen = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'gen-kernels.mjs'), '--root', dir, ...args], { encoding: 'utf8' });
      expect(gen().status).to.equal(0);
      expect(gen('--check').status).to.equal(0);
      const header = join(dir, 'native/generated/kernels.h');
      writeFileSync(header, readFileSync(header, 'utf8').replace('kGemmNR = 16', 'kGemmNR = 8'));
      const r = gen('--check');
      expect(r.status).to.equal(1);
      expect(r.stderr).to.include('native/generated/kernels.h');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the facade exposes the activation codes of kernels.json', () => {
    expect({ ...ck.Activation }).to.deep.equal(spec.activations);
  });

  it('packedWeightsLength matches what the backend packs', () => {
    for (const [k, n] of [[1, 1], [3, 16], [7, 17], [300, 33]]) {
      expect(backend().packWeights(new Float32Array(k * n), { k, n }).length).to.equal(packedWeightsLength(k, n));
    }
  });

  it('the native addon runs the micro-kernels kernels.json lists, with their MR and NR', async function () {
    const native = await nativeBackend();
    if (!native) return skipNoNative(this);
    const listed: { isa: string; mr: number; packedMr?: number }[] = spec.native;
    const before = native.info().isa;
    try {
      for (const isa of native.info().isas) {
        expect(native.selectIsa(isa)).to.equal(true);
        const info = native.info() as ck.BackendInfo & { mr: number; packedMr: number; nr: number };
        const entry = listed.find((k) => k.isa === isa)!;
        expect({ mr: info.mr, packedMr: info.packedMr }, isa).to.deep.equal({ mr: entry.mr, packedMr: entry.packedMr ?? entry.mr });
        expect(info.nr).to.equal(spec.panelWidth);
      }
      expect(native.info().isas).to.include('scalar');
    } finally {
      native.selectIsa(before);
    }
  });

  it('the wasm builds are those kernels.json lists, in its order, and each is built', () => {
    const names = spec.wasm.builds.map((b: { name: string }) => b.name);
    expect(WASM_BUILDS.map((b) => b.name)).to.deep.equal(names);
    for (const name of names) expect(readFileSync(join(root, 'dist', 'wasm', `convkit-${name}.wasm`)).length, name).to.be.above(0);
  });
});

describe('plans', () => {
  // Shapes around every rule: pointwise or not, one row tile or many, few rows (panel split),
  // tiny work (one thread), K past the block, segments past a task.
  const gemms: number[][] = [];
  for (const m of [1, 2, 5, 6, 7, 8, 9, 12, 13, 16, 20, 24, 25, 48, 49, 64, 97, 196, 300, 2048])
    for (const n of [1, 16, 17, 100, 1000])
      for (const k of [1, 27, 256, 257, 700]) gemms.push([m, n, k]);
  // A long K around the split rule's edges: micro-tiles (row tiles x panels) just under and at
  // splitKMaxTiles for every MR, K just under and past two chunks (splitKChunk 4096).
  for (const m of [1, 4, 5, 8, 9, 16, 17, 28, 29, 56])
    for (const n of [16, 20, 48, 49, 112, 113])
      for (const k of [8191, 8192, 24576, 24577]) gemms.push([m, n, k]);
  const windows = [
    { n: 1, h: 8, w: 8, c: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 16 },
    { n: 2, h: 64, w: 64, c: 32, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pb: 1, pl: 0, pr: 1, oc: 64 },
    { n: 1, h: 32, w: 32, c: 64, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oc: 100 },
    { n: 1, h: 2, w: 2, c: 1, kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oc: 1 },
    { n: 4, h: 112, w: 112, c: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, pt: 2, pb: 2, pl: 2, pr: 2, oc: 32 },
    { n: 1, h: 30, w: 30, c: 700, kh: 5, kw: 5, sh: 1, sw: 1, dh: 1, dw: 1, pt: 2, pb: 2, pl: 2, pr: 2, oc: 8 },
    // Winograd on native: C5 (fewer tiles than filters: a panel split), C3 (tile blocks), odd
    // extents and one-sided pads, each threshold just below and at its edge (channels, filters,
    // tiles), many tiles, a long C (K blocks), and the ones it must leave alone (stride 2,
    // dilation, 3x1, algorithm 'direct').
    { n: 1, h: 14, w: 14, c: 256, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 256 },
    { n: 1, h: 56, w: 56, c: 64, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 64 },
    { n: 3, h: 9, w: 7, c: 33, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 2, pl: 1, pr: 0, oc: 50 },
    { n: 1, h: 28, w: 28, c: 31, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 64 },
    { n: 1, h: 28, w: 28, c: 32, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 31 },
    { n: 1, h: 28, w: 28, c: 32, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 32 },
    { n: 2, h: 4, w: 4, c: 64, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 64 },
    { n: 1, h: 6, w: 6, c: 64, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 64 },
    { n: 64, h: 56, w: 56, c: 32, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 32 },
    { n: 1, h: 10, w: 10, c: 600, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oc: 40 },
    { n: 1, h: 28, w: 28, c: 64, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 64 },
    { n: 1, h: 28, w: 28, c: 64, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, pt: 2, pb: 2, pl: 2, pr: 2, oc: 64 },
    { n: 1, h: 28, w: 28, c: 64, kh: 3, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 0, pr: 0, oc: 64 },
    { n: 1, h: 14, w: 14, c: 256, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1, oc: 256, direct: true },
  ].map((p) => ({ ...p, oh: outputExtent(p.h, p.kh, p.sh, p.dh, p.pt, p.pb), ow: outputExtent(p.w, p.kw, p.sw, p.dw, p.pl, p.pr), activation: 0 }));

  /** The plan of a one-off operator of b for this step (created, reshaped, explained, released). */
  function planOf(b: Backend, step: Step): Plan {
    const op = b.createOperator(step);
    try {
      op.reshape(step.params);
      return op.explain();
    } finally {
      op.release();
    }
  }

  const kernelFor = (b: Backend, k: number, n: number) => b.packWeights(new Float32Array(k * n), { k, n });

  /** Every ISA and thread count of the backend in use: each one's plans, then the settings restored. */
  function forEachTarget(body: (isa: string, threads: number) => void): number {
    const b = backend(), before = { isa: b.info().isa, threads: b.info().threads };
    let targets = 0;
    try {
      for (const isa of b.info().isas) {
        expect(b.selectIsa(isa)).to.equal(true);
        for (const threads of [1, 2, 3]) {
          b.setNumThreads(threads);
          body(isa, b.info().threads);
          targets++;
        }
      }
    } finally {
      b.selectIsa(before.isa);
      b.setNumThreads(before.threads);
    }
    return targets;
  }

  /** Tasks cover the rows and panels exactly once (runs of rows x groups of panels), within the limits. */
  function expectCovers(p: Plan, rows: number, cols: number, threads: number, what: string): void {
    expect(p.rows, what).to.equal(rows);
    expect(p.panels, what).to.equal(Math.ceil(cols / spec.panelWidth));
    const groups = Math.ceil(p.panels / p.panelsPerTask), runs = p.tasks / groups / p.kSplits;
    expect(Number.isInteger(runs), what).to.equal(true);
    expect((runs - 1) * p.rowsPerTask, what).to.be.below(rows);
    expect(runs * p.rowsPerTask, what).to.be.at.least(rows);
    expect((groups - 1) * p.panelsPerTask, what).to.be.below(p.panels);
    expect(p.tasks, what).to.be.below(2 ** spec.job.taskBits);
    expect(p.threads, what).to.be.within(1, Math.min(threads, p.tasks));
  }

  forEachBackend('each backend plans for itself', () => {
    it('a GEMM plan covers every output row and panel exactly once and every step of K; a split K keeps its partials in the shared workspace', () => {
      const b = backend();
      const targets = forEachTarget((isa, threads) => {
        for (const [m, n, k] of gemms) {
          const packed = kernelFor(b, k, n);
          try {
            const what = `${isa} ${threads} gemm ${m}x${n}x${k}`;
            const p = planOf(b, { op: 'dense', packed, bias: null, params: { m, k, n, activation: 0 } });
            expectCovers(p, m, n, threads, what);
            expect((p.kSplits - 1) * p.kChunk, what).to.be.below(k);
            expect(p.kSplits * p.kChunk, what).to.be.at.least(k);
            if (p.kSplits > 1) {
              expect([p.rowsPerTask, p.panelsPerTask], what).to.deep.equal([m, p.panels]);
              expect(p.sharedBytes, what).to.be.at.least(p.kSplits * m * n * 4);
            } else expect(p.sharedBytes, what).to.equal(0);
          } finally {
            b.release(packed);
          }
        }
      });
      expect(targets).to.be.above(0);
    });

    it('a convolution plan covers every output pixel (or 2x2 tile) and panel exactly once, with a workspace bounded whatever the image size', () => {
      const b = backend();
      forEachTarget((isa, threads) => {
        for (const w of windows) {
          const packed = kernelFor(b, w.kh * w.kw * w.c, w.oc);
          try {
            const what = `${isa} ${threads} conv ${JSON.stringify(w)}`;
            const p = planOf(b, { op: 'conv2d', packed, bias: null, params: w });
            const rows = p.path === PATH.winograd ? w.n * Math.ceil(w.oh / 2) * Math.ceil(w.ow / 2) : w.n * w.oh * w.ow;
            expectCovers(p, rows, w.oc, threads, what);
            // At most a bounded segment of rows per participant (im2col, indirection pointers,
            // Winograd's tiles), never the whole expanded image (64 x 56 x 56 x 288 floats: 231 MB).
            expect(p.slotBytes, what).to.be.at.most(8 << 20);
          } finally {
            b.release(packed);
          }
        }
      });
    });

    it('a pooling plan covers every output pixel and channel exactly once', () => {
      const b = backend();
      forEachTarget((isa, threads) => {
        for (const w of [...windows, { ...windows[0], n: 2, h: 7, w: 7, c: 1280, kh: 7, kw: 7, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 1, ow: 1 }]) {
          const what = `${isa} ${threads} pool ${JSON.stringify(w)}`;
          const p = planOf(b, { op: 'maxpool2d', params: w });
          expect(p.rows, what).to.equal(w.n * w.oh * w.ow);
          // Runs of pixels, each cut into blocks of panelsPerTask 16-channel groups (native, few runs).
          const blocks = p.panelsPerTask ? Math.ceil(p.panels / p.panelsPerTask) : 1, runs = p.tasks / blocks;
          if (p.panelsPerTask) expect(p.panels, what).to.equal(Math.ceil(w.c / 16));
          expect(Number.isInteger(runs), what).to.equal(true);
          expect((runs - 1) * p.rowsPerTask, what).to.be.below(p.rows);
          expect(runs * p.rowsPerTask, what).to.be.at.least(p.rows);
          expect(p.threads, what).to.be.within(1, Math.min(threads, p.tasks));
        }
      });
    });
  });

  it('native takes Winograd exactly where kernels.json says: 3x3 stride 1 undilated, channels, filters and tiles at their thresholds, not when asked for direct', async function () {
    const native = await nativeBackend();
    if (!native) return skipNoNative(this);
    const winograd = windows.map((w) => {
      const packed = kernelFor(native, w.kh * w.kw * w.c, w.oc);
      try {
        return planOf(native, { op: 'conv2d', packed, bias: null, params: w }).path === PATH.winograd;
      } finally {
        native.release(packed);
      }
    });
    // The windows list's Winograd block, in order (C5, C3, odd, c 31, oc 31, 32 -> 32, 8 tiles,
    // 9 tiles, many tiles, long C, stride 2, dilation 2, 3x1, direct).
    expect(winograd.slice(6)).to.deep.equal([true, true, true, false, false, true, false, true, true, true, false, false, false, false]);
    expect(winograd.slice(0, 6).some(Boolean)).to.equal(false);
    expect([spec.plan.winogradMinChannels, spec.plan.winogradMinTiles]).to.deep.equal([32, 9]);
  });

  describe('the wasm target splits K', () => {
    let previous: ck.BackendName;
    before(async () => {
      previous = ck.getBackend();
      await ck.setBackend('wasm');
    });
    after(async () => ck.setBackend(previous));

    // [m, n, k, chunks], chunks worked out by hand from kernels.json: wasm's MR is 4, so 8 rows
    // are two row tiles; a split needs fewer than 8 micro-tiles (row tiles x 16-column panels)
    // and K of at least two chunks of 4096, and then has ceil(K / 4096) chunks.
    const cases: [number, number, number, number][] = [
      [8, 32, 24576, 6], // D1: 2 x 2 tiles
      [1, 20, 8193, 3], [4, 24, 8192, 2], [5, 100, 12000, 1], [8, 64, 8192, 1], [28, 16, 8192, 2], [29, 16, 8192, 1],
      [1, 112, 9000, 3], [1, 113, 9000, 1], [8, 32, 8191, 1],
    ];
    for (const [m, n, k, chunks] of cases) {
      it(`gemm ${m}x${n}x${k}: ${chunks === 1 ? 'not split' : `${chunks} chunks`}, the same for 1 to 4 threads`, () => {
        const wasm = backend();
        const original = ck.getNumThreads();
        const packed = kernelFor(wasm, k, n);
        try {
          for (const threads of [1, 2, 3, 4]) {
            ck.setNumThreads(threads);
            const p = planOf(wasm, { op: 'dense', packed, bias: null, params: { m, k, n, activation: 0 } });
            expect(p.kSplits, `${threads} threads`).to.equal(chunks);
            if (chunks === 1) continue;
            expect(p.kChunk).to.equal(4096);
            expect(p.tasks).to.equal(chunks);
            // The partials of every chunk, m x n floats each, rounded up to a cache line.
            expect(p.sharedBytes).to.equal(Math.ceil((chunks * m * n * 4) / 64) * 64);
          }
        } finally {
          ck.setNumThreads(original);
          wasm.release(packed);
        }
      });
    }

    it('convolutions of 8 channels or more take the indirect GEMM in SIMD builds, im2col below and in the scalar build', () => {
      const wasm = backend();
      const simd = !wasm.info().isa.endsWith('scalar');
      const conv = (c: number) => {
        const w = { ...windows[1], c }, packed = kernelFor(wasm, w.kh * w.kw * c, w.oc);
        try {
          return planOf(wasm, { op: 'conv2d', packed, bias: null, params: w }).path;
        } finally {
          wasm.release(packed);
        }
      };
      expect([conv(7), conv(8)]).to.deep.equal(simd ? [PATH.im2colGemm, PATH.indirectGemm] : [PATH.im2colGemm, PATH.im2colGemm]);
    });
  });

  forEachBackend('the backend computes the same result whatever its plan', () => {
    const b = backend;
    it('a conv planned for 1 and for 2 threads gives the same bits', () => {
      const w = windows[1];
      const x = new Float32Array(w.n * w.h * w.w * w.c).map((_, i) => Math.sin(i));
      const kernel = new Float32Array(w.kh * w.kw * w.c * w.oc).map((_, i) => Math.cos(i));
      const packed = b().packWeights(kernel, { k: w.kh * w.kw * w.c, n: w.oc });
      const before = b().info().threads;
      try {
        b().setNumThreads(1);
        const one = b().conv2d(x, packed, null, w);
        b().setNumThreads(2);
        expect(b().conv2d(x, packed, null, w)).to.deep.equal(one);
      } finally {
        b().setNumThreads(before);
        b().release(packed);
      }
    });
  });
});

describe('lib/version.ts', () => {
  it('matches package.json', () => {
    expect(ck.version).to.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});
