// `npm run bench -- --kernels [--threads 1,2] [--quick]`: how close the native kernels run to
// the machine's limit. Each GEMM micro-kernel on an L1-resident problem next to the core's FMA
// peak (a dependency-free FMA loop in the same binary), then the whole GEMM (gemm(), which packs
// B on every call as np.dot does) on 1024^3, 2048^3 and the suite's im2col shapes, next to
// numpy's np.dot in the same run when python3 with numpy is present, alternating shape by shape.
// The square shapes run twice: into a new output (gemm(a, b), np.dot(a, b)) and into one kept
// across calls (gemm(a, b, { out }), np.dot(a, b, out=c)), where no call meets fresh pages.
import { spawnSync } from 'node:child_process';
import * as ck from '../lib/index';
import type { NativeBackend } from '../lib/backends/native';
import { backend } from '../lib/backends/select';
import { inputShape, loadWorkloads, makeLayer } from '../suite/workloads';
import { markdownTable } from './result-file';
import { median } from './stats';
import { depthwiseRates } from './depthwise-rate';

type Shape = { name: string; m: number; n: number; k: number; out?: boolean };

/** The GEMM each conv workload runs: output pixels x filters x (kh * kw * c). */
function gemmShapes(): Shape[] {
  const shapes: Shape[] = [];
  for (const size of [1024, 2048])
    for (const out of [false, true]) shapes.push({ name: `${size}^3${out ? ', out' : ''}`, m: size, n: size, k: size, out });
  for (const w of loadWorkloads()) {
    if (w.op !== 'conv2d') continue;
    const [n, oh, ow] = makeLayer(w).outputShape(inputShape(w));
    shapes.push({ name: `${w.id} im2col`, m: n * oh * ow, n: w.filters!, k: w.k! * w.k! * w.c! });
  }
  return shapes;
}

/** Seconds per call of fn over a time budget (at least 3 calls), after one warm-up call. */
function samples(fn: () => unknown, budgetMs: number): number[] {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  return times;
}

const NUMPY = `
import json, sys, time
import numpy as np
s, budget = json.loads(sys.argv[1]), float(sys.argv[2])
rng = np.random.default_rng(1)
a = rng.random((s['m'], s['k']), dtype=np.float32); b = rng.random((s['k'], s['n']), dtype=np.float32)
c = np.empty((s['m'], s['n']), dtype=np.float32)
run = (lambda: np.dot(a, b, out=c)) if s.get('out') else (lambda: np.dot(a, b))
run()
times, start = [], time.perf_counter()
while len(times) < 3 or time.perf_counter() - start < budget:
    t = time.perf_counter(); run(); times.append(time.perf_counter() - t)
print(json.dumps(times))
`;

/** numpy's seconds per call of one shape with `threads` BLAS threads, or null without python3 and numpy. */
function numpySamples(shape: Shape, threads: number, budgetMs: number): number[] | null {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync('python3', ['-c', NUMPY, JSON.stringify(shape), String(budgetMs / 1000)], { encoding: 'utf8', env });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const pad = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

/** Prints a table and adds it, under its caption, to the markdown of the result file. */
function printTable(md: string[], caption: string, header: string[], rows: string[][]): void {
  md.push(`${caption}\n\n${markdownTable(header, rows, 'l'.padEnd(header.length, 'r'))}\n`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(pad(header, widths));
  console.log(widths.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(pad(r, widths));
}

/** Prints the report and returns it as markdown (for bench/results/kernels.md). */
export async function kernelReport(threadCounts: number[], quick: boolean): Promise<string> {
  const md: string[] = [];
  if (!ck.backends().includes('native')) throw new Error('--kernels needs the native backend, which does not load here');
  await ck.setBackend('native');
  const native = backend() as NativeBackend;
  console.log(`convkit ${ck.version} kernels on ${require('node:os').cpus()[0]?.model}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''}`);
  const microCaption = 'Micro-kernels, kc = 256, A and W in L1, one thread (GFLOP/s):';
  console.log(`\n${microCaption}`);
  const rates = native.benchKernels(quick ? 0.1 : 0.5);
  const ofPeak = (v: number, peak: number) => (v && peak ? ` (${((100 * v) / peak).toFixed(0)}%)` : '');
  const cell = (mr: number, nr: number, v: number, peak: number) => (v ? `${mr}x${nr}: ${v.toFixed(1)}${ofPeak(v, peak)}` : '-');
  // In-place A takes the MR kernels; packed A (large GEMMs) its own, taller ones where the ISA has them.
  printTable(md, microCaption, ['isa', 'MRx16 kernel', 'MRx32 kernel', 'packed A x16', 'packed A x32', '1x16 kernel', 'FMA peak'], rates.map((r) => [
    r.isa, cell(r.mr, 16, r.kernelGflops, r.peakGflops), cell(r.mr, 32, r.pairGflops, r.peakGflops),
    cell(r.packedMr, 16, r.packedGflops, r.peakGflops), cell(r.packedMr, 32, r.packedPairGflops, r.peakGflops),
    r.rowGflops ? `${r.rowGflops.toFixed(1)}${ofPeak(r.rowGflops, r.peakGflops)}` : '-', r.peakGflops ? r.peakGflops.toFixed(1) : '-',
  ]));

  const shapes = gemmShapes();
  // Each shape in rounds that alternate numpy and convkit, so that a change in the machine's load
  // falls on both; the medians are over all rounds' calls.
  const rounds = quick ? 1 : 3;
  const budget = (quick ? 200 : 1500) / rounds;
  const original = ck.getNumThreads();
  for (const threads of threadCounts) {
    ck.setNumThreads(threads);
    const rows: string[][] = [];
    let numpy = true;
    for (const s of shapes) {
      const a = new ck.Tensor(new Float32Array(s.m * s.k).fill(0.5), [s.m, s.k]);
      const b = new ck.Tensor(new Float32Array(s.k * s.n).fill(0.25), [s.k, s.n]);
      const opts = s.out ? { out: new ck.Tensor(new Float32Array(s.m * s.n), [s.m, s.n]) } : undefined;
      const ours: number[] = [], theirs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = numpy ? numpySamples(s, threads, budget) : null;
        if (t) theirs.push(...t);
        else numpy = false;
        ours.push(...samples(() => ck.gemm(a, b, opts), budget));
      }
      const flops = 2 * s.m * s.n * s.k;
      const gOurs = flops / median(ours) / 1e9, gTheirs = numpy ? flops / median(theirs) / 1e9 : NaN;
      rows.push([s.name, `${s.m}x${s.n}x${s.k}`, gOurs.toFixed(1), numpy ? gTheirs.toFixed(1) : '-', numpy ? (gOurs / gTheirs).toFixed(2) : '-']);
    }
    const caption = `Whole GEMM, ${threads} thread${threads > 1 ? 's' : ''}, ${ck.backendInfo().isa} (GFLOP/s; numpy ${numpy ? 'np.dot' : 'not available: python3 with numpy not found'}):`;
    console.log(`\n${caption}`);
    printTable(md, caption, ['shape', 'm x n x k', 'convkit', 'numpy', 'ratio'], rows);
  }
  ck.setNumThreads(original);
  for (const threads of threadCounts) {
    depthwiseRates(threads, quick ? 200 : 1000, samples, (caption, header, rows) => {
      console.log(`\n${caption}`);
      printTable(md, caption, header, rows);
    });
  }
  return md.join('\n');
}
