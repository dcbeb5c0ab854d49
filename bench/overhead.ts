// `npm run bench:overhead`: the fixed cost of one call, on a layer too small to measure anything
// else (1x8x8x4 -> 4 filters, 3x3, same padding): convkit's forward on each backend next to
// onnxruntime-node's session.run on the same layer (when bench/ has its peers installed), one
// thread each, median microseconds over interleaved rounds: wall time, and the process's CPU time
// per call (what a call costs even when a loaded machine stretches its wall time). convkit is the
// shipped Node bundle (dist/index.js, as a user's require loads it), not the TypeScript sources.
// onnxruntime-node runs in a child process of its own (this file with --peer): loaded beside
// convkit its threads cost convkit's wasm calls about 3 us. The table also goes to
// bench/results/overhead.md (or --out DIR).
import { spawnSync } from 'node:child_process';
import type * as CK from '../lib/index';
import { workloadData } from '../suite/data';
import type { Workload } from '../suite/workloads';
import { onnxModel } from './peers/onnx-model';
import { peer } from './peers/peer-require';
import { nhwcToNchw } from '../suite/layout';
import { commandLine, markdownTable, writeResult } from './result-file';
import { median } from './stats';

const LAYER: Workload = { id: 'O1', name: 'tiny conv', op: 'conv2d', n: 1, h: 8, w: 8, c: 4, filters: 4, k: 3, stride: 1, padding: 'same' } as Workload;
const CALLS = 2000, ROUNDS = 7;
// Loaded by main only: the peer's process (--peer) holds no convkit.
let ck: typeof CK;

/** Wall and CPU microseconds per call of a batch of CALLS calls. */
async function perCall(run: () => unknown): Promise<[number, number]> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await run();
  const cpu = process.cpuUsage(c0);
  return [((performance.now() - t0) * 1000) / CALLS, (cpu.user + cpu.system) / CALLS];
}


/** Median wall and CPU microseconds per call of each runner, over interleaved rounds after one to warm up. */
async function measure(runners: [string, () => unknown][]): Promise<string[][]> {
  const wall = runners.map(() => [] as number[]), cpu = runners.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (let i = 0; i < runners.length; i++) {
      const [us, cpuUs] = await perCall(runners[i][1]);
      if (r > 0) { // round 0 warms up
        wall[i].push(us);
        cpu[i].push(cpuUs);
      }
    }
  }
  return runners.map(([label], i) => [label, median(wall[i]).toFixed(2), median(cpu[i]).toFixed(2)]);
}

/** --peer: onnxruntime-node's session.run on the same layer; prints its rows, or why none, as JSON. */
async function peerMain(): Promise<void> {
  const data = workloadData(LAYER);
  try {
    const ort = peer('onnxruntime-node');
    const model = onnxModel(LAYER, data);
    const session = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const input = new ort.Tensor('float32', nhwcToNchw(data.input, data.inputShape), model.inputShape);
    console.log(JSON.stringify(await measure([['onnxruntime-node session.run (own process)', () => session.run({ x: input })]])));
  } catch (e) {
    console.log(JSON.stringify(`onnxruntime-node not measured: ${(e as Error).message.split('\n')[0]} (run npm install in bench/)`));
  }
}

async function main(): Promise<void> {
  ck = require('../dist/index.js') as typeof CK;
  const data = workloadData(LAYER);
  const x = new ck.Tensor(data.input, data.inputShape);
  const runners: [string, () => unknown][] = [];
  for (const name of ck.backends()) {
    await ck.setBackend(name);
    ck.setNumThreads(1);
    const layer = new ck.Conv2D({ filters: LAYER.filters!, kernelSize: LAYER.k!, padding: 'same', kernel: data.kernel!, bias: data.bias! }), b = name;
    runners.push([`convkit ${name} forward`, () => {
      if (ck.getBackend() !== b) throw new Error('backend changed');
      return layer.forward(x);
    }]);
    runners.push([`convkit ${name} forwardAsync`, () => layer.forwardAsync(x)]);
    // Rounds alternate backends: each runner selects its own before it runs.
    const own = runners.splice(-2).map(([label, run]) => [label, async () => {
      if (ck.getBackend() !== b) await ck.setBackend(b);
      return run();
    }] as [string, () => unknown]);
    runners.push(...own);
  }
  const rows = await measure(runners);
  // The peer's rows from a process without convkit's (a JSON line), or why there are none.
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--peer'], { cwd: __dirname, encoding: 'utf8' });
  const peerRows = child.status === 0 ? JSON.parse(child.stdout.trim().split('\n').pop()!) as string[][] | string : `the peer's process failed: ${child.stderr.split('\n')[0]}`;
  const ortNote = typeof peerRows === 'string' ? peerRows : undefined;
  if (typeof peerRows === 'string') console.log(peerRows);
  else rows.push(...peerRows);
  const caption = `per-call cost of a 1x8x8x4 -> 4 3x3 conv, 1 thread, median of ${ROUNDS} rounds of ${CALLS} calls`;
  console.log(caption);
  for (const [label, w, c] of rows) console.log(`${label.padEnd(34)} ${w.padStart(8)} us wall ${c.padStart(8)} us CPU`);
  const args = process.argv.slice(2), at = args.indexOf('--out');
  const path = writeResult({
    name: 'overhead', title: `convkit ${ck.version}: the fixed cost of one call`, command: commandLine('bench:overhead'),
    outDir: at >= 0 ? args[at + 1] : undefined,
    body: `${caption[0].toUpperCase()}${caption.slice(1)}. ${ortNote ?? ''}\n\n${markdownTable(['call', 'us per call (wall)', 'us of CPU per call'], rows, 'lrr')}`,
  });
  process.stderr.write(`wrote ${path}\n`);
}

(process.argv.includes('--peer') ? peerMain() : main()).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
