// `npm run bench:coldstart`: what a new process pays before its first result. Each run is a fresh
// `node` that times `require('convkit')` plus the first forward of a 1x8x8x4 -> 4 3x3 Conv2D
// (same padding), on native and on CONVKIT_BACKEND=wasm; 3 warm-up runs (disk cache), then 20,
// medians reported (elapsed and CPU time). One more run per backend counts what loads: convkit's
// files (require.cache), require() calls (what NODE_DEBUG=module lists as Module._load) and Node
// built-ins.
//
//   npm run bench:coldstart                       # this checkout (its dist/)
//   npm run bench:coldstart -- --runs 40 --package /path/to/other/checkout ...
// With several --package, runs alternate between them, so that a change of load on the machine
// falls on all of them alike.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { median } from './stats';

const CHILD = `
const Module = require('module');
let calls = 0;
if (process.env.COLDSTART_COUNT) {
  const load = Module._load;
  Module._load = function () { calls++; return load.apply(this, arguments); };
}
const builtins = process.moduleLoadList.length, files = Object.keys(require.cache).length;
const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
const ck = require(process.env.COLDSTART_PACKAGE);
const t1 = process.hrtime.bigint();
const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', seed: 1 });
const y = conv.forward(new ck.Tensor(new Float32Array(8 * 8 * 4).fill(1), [1, 8, 8, 4]));
const t2 = process.hrtime.bigint(), cpu = process.cpuUsage(cpu0);
if (y.size !== 256) throw new Error('unexpected output');
console.log(JSON.stringify({
  backend: ck.getBackend(), requireMs: Number(t1 - t0) / 1e6, totalMs: Number(t2 - t0) / 1e6, cpuMs: (cpu.user + cpu.system) / 1e3, calls,
  files: Object.keys(require.cache).length - files,
  builtins: process.moduleLoadList.slice(builtins).filter((m) => m.startsWith('NativeModule')).length,
}));
process.exit(0);
`;

interface Sample {
  backend: string;
  requireMs: number;
  totalMs: number;
  cpuMs: number;
  calls: number;
  files: number;
  builtins: number;
  processMs: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const runs = arg('--runs', 20), warmups = arg('--warmups', 3);
const packages = process.argv.flatMap((a, i) => (a === '--package' ? [resolve(process.argv[i + 1])] : []));
if (!packages.length) packages.push(join(__dirname, '..'));

function run(pkg: string, backend: string, count: boolean): Sample {
  const started = process.hrtime.bigint();
  const env: NodeJS.ProcessEnv = { ...process.env, COLDSTART_PACKAGE: pkg, CONVKIT_BACKEND: backend };
  if (count) env.COLDSTART_COUNT = '1';
  const r = spawnSync(process.execPath, ['-e', CHILD], { env, encoding: 'utf8' });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`the child process failed (${pkg}, ${backend}):\n${r.stderr}`);
  const sample = { ...JSON.parse(r.stdout), processMs } as Sample;
  if (sample.backend !== backend) throw new Error(`asked for ${backend} but ${pkg} ran on ${sample.backend}`);
  return sample;
}

const fmt = (ms: number) => ms.toFixed(1).padStart(6);
console.log(`cold start: a new node process, require('convkit') + the first forward of a 1x8x8x4 -> 4 3x3 Conv2D; median of ${runs} runs after ${warmups} warm-ups (ms)`);
// require: require('convkit'); +forward: that and the first forward, the cold start; cpu: the
// CPU time of the same (user + system: less sensitive to other load on the machine than the
// elapsed time); process: from spawn to exit, Node's own start included.
console.log(`${'backend'.padEnd(8)} ${'require'.padStart(8)} ${'+forward'.padStart(8)} ${'cpu'.padStart(8)} ${'process'.padStart(8)} ${'files'.padStart(6)} ${'calls'.padStart(6)} ${'built-ins'.padStart(9)}  package`);
for (const backend of ['native', 'wasm']) {
  for (let i = 0; i < warmups; i++) for (const pkg of packages) run(pkg, backend, false);
  const samples = packages.map(() => [] as Sample[]);
  for (let i = 0; i < runs; i++) packages.forEach((pkg, p) => samples[p].push(run(pkg, backend, false)));
  packages.forEach((pkg, p) => {
    const counted = run(pkg, backend, true);
    const m = (key: 'requireMs' | 'totalMs' | 'cpuMs' | 'processMs') => fmt(median(samples[p].map((s) => s[key])));
    console.log(`${backend.padEnd(8)}   ${m('requireMs')}   ${m('totalMs')}   ${m('cpuMs')}   ${m('processMs')} ${String(counted.files).padStart(6)} ${String(counted.calls).padStart(6)} ${String(counted.builtins).padStart(9)}  ${pkg}`);
  });
}
