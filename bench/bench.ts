// `npm run bench`: the 12 standard workloads on every backend that loads here, as a table of
// median and min milliseconds and GFLOP/s (GB/s for pooling). Options: --only C3,D2
// --threads 1,2 --quick --json, and --async to time forwardAsync (one call at a time) instead of
// forward. --kernels prints the kernel efficiency report instead (bench/kernels.ts). After the
// 12 workloads, T1 times one training step of LeNet-5 on a batch of 64 (bench/train-step.ts).
// The table also goes to bench/results/bench.md (kernels.md for --kernels), or into --out DIR.
import * as ck from '../lib/index';
import { convkitLayer, workloadData } from '../suite/data';
import { kernelReport } from './kernels';
import { TRAIN_STEP, trainStep } from './train-step';
import { progress } from './progress';
import { commandLine, markdownTable, writeResult } from './result-file';
import { median } from './stats';
import { loadWorkloads, work } from '../suite/workloads';

interface Row {
  workload: string;
  name: string;
  backend: string;
  threads: number;
  isa: string;
  runs: number;
  medianMs: number;
  minMs: number;
  rate: number;
  unit: string;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const asJson = process.argv.includes('--json');
const viaAsync = process.argv.includes('--async');
const only = option('only')?.split(',');
const threadCounts = (option('threads') ?? String(ck.getNumThreads())).split(',').map(Number);
// Per workload and configuration: warm-up runs, then runs until the time budget is spent.
const WARMUP = quick ? 1 : 3;
const BUDGET_MS = quick ? 150 : 1500;
const MIN_RUNS = quick ? 3 : 7;

/** Warm-up runs, then runs until the time budget is spent; returns each run's milliseconds. */
async function measure(run: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < MIN_RUNS || performance.now() - start < BUDGET_MS) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    if (times.length >= 10000) break;
  }
  return times;
}

async function main(): Promise<void> {
  const command = commandLine('bench'), outDir = option('out');
  if (process.argv.includes('--kernels')) {
    const body = await kernelReport(option('threads')?.split(',').map(Number) ?? [1, 2], quick);
    const path = writeResult({ name: 'kernels', title: `convkit ${ck.version}: native kernels against the FMA peak and numpy`, command, body, outDir });
    process.stderr.write(`wrote ${path}\n`);
    return;
  }
  const workloads = loadWorkloads().filter((w) => !only || only.includes(w.id));
  const training = !only || only.includes(TRAIN_STEP.id);
  if (workloads.length === 0 && !training) throw new Error(`no workload matches --only ${only?.join(',')}`);
  const rows: Row[] = [];
  const originalThreads = ck.getNumThreads();
  const steps = progress();
  steps.start(ck.backends().length * threadCounts.length * (workloads.length + (training ? 1 : 0)), 'starting');
  for (const backendName of ck.backends()) {
    await ck.setBackend(backendName);
    for (const threads of threadCounts) {
      ck.setNumThreads(threads);
      for (const w of workloads) {
        const data = workloadData(w);
        steps.task(`${w.id} ${w.name}: ${backendName}, ${threads} thread${threads > 1 ? 's' : ''}`);
        const layer = convkitLayer(w, data);
        const x = new ck.Tensor(data.input, data.inputShape);
        const times = await measure(() => (viaAsync ? layer.forwardAsync(x) : layer.forward(x)));
        const { amount, unit } = work(w, layer.outputShape(x.shape));
        const med = median(times);
        rows.push({
          workload: w.id, name: w.name, backend: backendName, threads, isa: ck.backendInfo().isa, runs: times.length,
          medianMs: med, minMs: times.reduce((a, v) => Math.min(a, v), Infinity), rate: amount / (med * 1e-3) / 1e9, unit,
        });
        steps.increment();
      }
      if (training) {
        steps.task(`${TRAIN_STEP.id} ${TRAIN_STEP.name}: ${backendName}, ${threads} thread${threads > 1 ? 's' : ''}`);
        const times = await measure(trainStep(ck));
        const med = median(times);
        rows.push({
          workload: TRAIN_STEP.id, name: `${TRAIN_STEP.name} (batch ${TRAIN_STEP.batch})`, backend: backendName, threads,
          isa: ck.backendInfo().isa, runs: times.length, medianMs: med, minMs: times.reduce((a, v) => Math.min(a, v), Infinity),
          rate: TRAIN_STEP.batch / (med * 1e-3), unit: 'samples/s',
        });
        steps.increment();
      }
    }
  }
  steps.stop();
  ck.setNumThreads(originalThreads);
  const header = ['id', 'workload', 'backend', 'isa', 'threads', 'runs', 'median ms', 'min ms', 'rate'];
  const table = rows.map((r) => [r.workload, r.name, r.backend, r.isa, String(r.threads), String(r.runs), r.medianMs.toFixed(3), r.minMs.toFixed(3), `${r.rate.toFixed(2)} ${r.unit}`]);
  const how = `${quick ? '--quick: ' : ''}${WARMUP} warm-up run${WARMUP > 1 ? 's' : ''}, then runs for ${BUDGET_MS} ms (at least ${MIN_RUNS}); ${viaAsync ? 'forwardAsync, one call at a time' : 'forward'}. `
    + 'Rate: GFLOP/s (P1, P2: GB/s; T1: samples/s); convolutions count the direct sum\'s flops, so those run as Winograd show an effective rate.';
  const path = writeResult({
    name: 'bench', title: `convkit ${ck.version}: the standard workloads on every backend`, command, outDir,
    body: `${how}\n\n${markdownTable(header, table, 'llllrrrrr')}`,
  });
  if (asJson) {
    console.log(JSON.stringify({ date: new Date().toISOString(), cpu: cpuModel(), rows }, null, 2));
    return;
  }
  console.log(`convkit ${ck.version} on ${cpuModel()}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''}${viaAsync ? ', forwardAsync' : ''}`);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((n) => '-'.repeat(n)).join('  '));
  for (const r of table) console.log(line(r));
  process.stderr.write(`wrote ${path}\n`);
}

function cpuModel(): string {
  const cpus = require('node:os').cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}`;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
