// The memory soak's measuring loop, shared by `npm run soak` (scripts/soak.ts) and its short form
// in `npm test` (test/memory.test.ts): many forwards, forwardAsync calls with bounded
// concurrency, and layer churn (layers created and dropped, setWeights, gemm/gemmAsync) on one
// backend, with process.memoryUsage() sampled after a full garbage collection.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as ck from '../lib/index';

/** The bound on RSS growth after warm-up, in bytes (10 MB). */
export const RSS_GROWTH_BOUND = 10 * 1e6;

export interface MemorySample {
  /** 'before', 'warm-up', 'step N' or 'end'. */
  label: string;
  /** Forwards plus forwardAsync calls done when the sample was taken. */
  calls: number;
  rss: number;
  /** V8 heap committed (young generation included): explains RSS moves that heapUsed does not. */
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface SoakOptions {
  backend: ck.BackendName;
  /** Synchronous Sequential forwards. */
  forwards: number;
  /** Sequential forwardAsync calls. */
  asyncCalls: number;
  /** forwardAsync calls in flight at once (default 8). */
  concurrency?: number;
  /** The run is cut into this many equal steps, sampled after each (default 20: 5 % each). */
  steps?: number;
  /** Steps making up the warm-up; growth is measured from the sample after the last of them (default 1). */
  warmupSteps?: number;
  /** One churn round every this many calls (default 50; 0: none). */
  churnEvery?: number;
  /** Called every few hundred calls and after each sample. */
  onProgress?: (done: number, total: number, sample?: MemorySample) => void;
}

export interface SoakResult {
  backend: ck.BackendName;
  isa: string;
  threads: number;
  forwards: number;
  asyncCalls: number;
  /** Churn rounds; each creates 2 layers, calls setWeights twice, gemm and gemmAsync once (see churner). */
  churnRounds: number;
  elapsedMs: number;
  /** before, one per step ('warm-up' ends the warm-up); the last is 'end'. */
  samples: MemorySample[];
  warmup: MemorySample;
  end: MemorySample;
  /** end minus warm-up, per field. */
  growth: Omit<MemorySample, 'label' | 'calls'>;
  /** Whether growth.rss < RSS_GROWTH_BOUND. */
  pass: boolean;
}

const FIELDS = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;

/** A full garbage collection: global.gc under --expose-gc, else the flag is set at run time. */
export function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * V8 doubles its young generation (up to its maximum semi-space size) once enough bytes have
 * survived scavenges in total. That can come at any point of a run, and the new pages become
 * resident only as they are used, over the following steps: it moved RSS by 10-15 MB here
 * (heapTotal +8 MB at once, heapUsed unchanged), V8's sizing rather than memory held by convkit.
 * So the soak holds the young generation at its size while it runs (growth factor 1; the old
 * generation, where leaked JavaScript objects would show, is unaffected), and restores it after.
 */
function holdYoungGeneration(hold: boolean): void {
  const given = process.execArgv.map((a) => /^--semi[-_]space[-_]growth[-_]factor=(\d+)$/.exec(a)?.[1]).find(Boolean);
  v8.setFlagsFromString(`--semi-space-growth-factor=${hold ? 1 : (given ?? 2)}`);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Collects twice, letting FinalizationRegistry callbacks (wasm packed weights) run in between. */
async function measure(gc: () => void, label: string, calls: number): Promise<MemorySample> {
  gc();
  await turn();
  gc();
  const m = process.memoryUsage();
  return { label, calls, rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Deterministic values in [-0.5, 0.5], different per seed. */
function values(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => (Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453) % 1 / 2);
}

const INPUT_SHAPE = [1, 16, 16, 3];

function model(): ck.Sequential {
  return new ck.Sequential([
    new ck.Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Dense({ units: 10, seed: 2 }),
  ]);
}

const KEPT_UNITS = 32;

/**
 * Churn rounds on input x. Each: a fresh Conv2D and Dense (packed on first use, then dropped for
 * the collector); a long-lived Dense (768 x 32: 98 KB packed, so a leaked copy per round would
 * show within a few hundred rounds) given a new kernel while its forwardAsync is in flight, then
 * again between forwards (each replaces and releases its packed copy); one gemm and gemmAsync.
 */
function churner(x: ck.Tensor): (round: number) => Promise<void> {
  const features = x.size / x.shape[0];
  const kernels = [values(features * KEPT_UNITS, 1), values(features * KEPT_UNITS, 2)];
  const kept = new ck.Dense({ units: KEPT_UNITS, kernel: kernels[0] });
  return async (round) => {
    const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, kernel: values(3 * 3 * 3 * 4, round) });
    new ck.Dense({ units: 6, seed: round }).forward(conv.forward(x));
    const pending = kept.forwardAsync(x);
    kept.setWeights({ kernel: kernels[1] });
    await pending;
    kept.forward(x);
    kept.setWeights({ kernel: kernels[0], bias: values(KEPT_UNITS, round) });
    kept.forward(x);
    const a = new ck.Tensor(values(8 * 24, round), [8, 24]);
    const b = new ck.Tensor(values(24 * 12, round + 1), [24, 12]);
    const c = new ck.Tensor(values(12, round + 2), [12]);
    ck.gemm(a, b, { c });
    await ck.gemmAsync(a, b, { c, alpha: 0.5 });
  };
}

/** Part `part` of `count` split into `parts` near-equal shares. */
function share(count: number, part: number, parts: number): number {
  return Math.floor(count / parts) + (part < count % parts ? 1 : 0);
}

/** Runs the soak on one backend (switched to, and left in use) and returns its memory samples. */
export async function soak(opts: SoakOptions): Promise<SoakResult> {
  const { backend, forwards, asyncCalls, concurrency = 8, steps = 20, warmupSteps = 1, churnEvery = 50, onProgress } = opts;
  if (!(warmupSteps >= 1 && steps > warmupSteps)) {
    throw new RangeError(`Expected more steps than warm-up steps (at least 1) but received steps ${steps}, warmupSteps ${warmupSteps}`);
  }
  await ck.setBackend(backend);
  const gc = gcFunction();
  const total = forwards + asyncCalls;
  const samples: MemorySample[] = [];
  let done = 0, churnRounds = 0;
  const started = performance.now();
  const record = async (label: string) => {
    const s = await measure(gc, label, done);
    samples.push(s);
    onProgress?.(done, total, s);
  };
  holdYoungGeneration(true);
  try {
    await record('before');
    const net = model();
    const x = new ck.Tensor(values(INPUT_SHAPE.reduce((a, b) => a * b), 0), INPUT_SHAPE);
    const churn = churner(x);
    const counted = async () => {
      done++;
      if (churnEvery > 0 && done % churnEvery === 0) await churn(churnRounds++);
      if (done % 500 === 0) onProgress?.(done, total);
    };
    for (let step = 0; step < steps; step++) {
      for (let i = share(forwards, step, steps); i > 0; i--) {
        net.forward(x);
        await counted();
      }
      let left = share(asyncCalls, step, steps);
      const lane = async () => {
        while (left > 0) {
          left--;
          await net.forwardAsync(x);
          await counted();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, left) }, lane));
      await record(step === warmupSteps - 1 ? 'warm-up' : step === steps - 1 ? 'end' : `step ${step + 1}`);
    }
  } finally {
    holdYoungGeneration(false);
  }

  const elapsedMs = performance.now() - started;
  const warmup = samples[warmupSteps], end = samples[samples.length - 1];
  const growth = Object.fromEntries(FIELDS.map((f) => [f, end[f] - warmup[f]])) as SoakResult['growth'];
  const { isa, threads } = ck.backendInfo();
  return {
    backend, isa, threads, forwards, asyncCalls, churnRounds, elapsedMs, samples, warmup, end, growth,
    pass: growth.rss < RSS_GROWTH_BOUND,
  };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;

/** The samples as a table (MB), then the growth after warm-up and the verdict. */
export function formatResult(r: SoakResult, indent = '  '): string {
  const header = ['sample', 'calls', ...FIELDS.map((f) => `${f} MB`)];
  const rows = r.samples.map((s) => [s.label, String(s.calls), ...FIELDS.map((f) => mb(s[f]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    line(header),
    ...rows.map(line),
    `${indent}growth after warm-up: ${FIELDS.map((f) => `${f} ${signed(r.growth[f])} MB`).join(', ')}`,
    `${indent}${r.pass ? 'PASS' : 'FAIL'}: RSS growth after warm-up ${signed(r.growth.rss)} MB, bound < ${mb(RSS_GROWTH_BOUND)} MB`,
  ].join('\n');
}
