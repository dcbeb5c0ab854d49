// `npm run bench:service`: the example service (examples/service) on convkit next to the same
// service on onnxruntime-node (same HTTP code, same weights), under autocannon with 8
// connections on 127.0.0.1. Every server runs in its own process and is checked to give the
// same answer first; then rounds alternate between them (A B C D, rotated each round) so drift
// hits everyone alike. Per run: requests/s, client latency p50/p99, and the service's own
// event-loop delay p50/p99 (read from its /stats). Cells are medians over the rounds.
// Options: --quick (a few seconds, for the smoke test)  --variants convkit-1t,ort-2t
// --rounds n  --seconds s  --json  --out DIR (default bench/results): service.md, .json and .html.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { progress } from './progress';
import { commandLine, writeResult } from './result-file';
import { ensurePeersInstalled } from './peers/install';
import { peer } from './peers/peer-require';
import { median } from './stats';
import { renderServiceHtml, renderServiceMarkdown, renderServiceTable, type ServiceReport, type ServiceRun, type VariantInfo } from './service/report';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const quick = args.includes('--quick');
const ROUNDS = Number(option('rounds') ?? (quick ? 1 : 3));
const SECONDS = Number(option('seconds') ?? (quick ? 1 : 7));
const WARMUP_SECONDS = quick ? 0.5 : 2;
const CONNECTIONS = 8;
const ROOT = join(__dirname, '..');
const { INPUT_FLOATS } = require('../examples/service/model.js');

interface Variant extends Omit<VariantInfo, 'available' | 'reason'> {
  command: string[];
  /** Driven at the rate this variant reached (its latest run), not as fast as it answers. */
  rateOf?: string;
}

const node = process.execPath;
const VARIANTS: Variant[] = [
  ...[1, 2].map((t) => ({
    id: `convkit-${t}t`, label: `convkit native, ${t} compute thread${t > 1 ? 's' : ''}`, library: 'convkit', threads: t,
    command: [node, 'examples/service/main.js', '--port', '0', '--threads', String(t)],
  })),
  ...[1, 2].map((t) => ({
    id: `ort-${t}t`, label: `onnxruntime-node, ${t} intra-op thread${t > 1 ? 's' : ''}`, library: 'onnxruntime-node', threads: t,
    command: [node, '--import', 'tsx', 'bench/service/ort-server.ts', '--port', '0', '--threads', String(t)],
  })),
  {
    id: 'convkit-defaults', label: 'convkit native, library defaults (no setNumThreads)', library: 'convkit', threads: 0,
    command: [node, 'examples/service/main.js', '--port', '0', '--library-defaults'],
  },
  {
    id: 'convkit-batched', label: 'convkit native, batched (model.batcher, 1 compute thread)', library: 'convkit', threads: 1,
    command: [node, 'examples/service/main.js', '--port', '0', '--threads', '1', '--batch'],
  },
  {
    id: 'http-only', label: 'no model, at convkit-1t\'s last rate', library: 'none', threads: 0, rateOf: 'convkit-1t',
    command: [node, 'bench/service/http-only-server.js'],
  },
];

/** One service process: started, asked for its port, stopped by SIGTERM (as in production). */
class Server {
  private proc: ChildProcess;
  private output = '';
  port = 0;
  exitCode: number | null = null;
  private exited: Promise<void>;

  constructor(readonly variant: Variant) {
    this.proc = spawn(variant.command[0], variant.command.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CONVKIT_BACKEND: 'native' } });
    this.proc.stdout!.on('data', (b) => (this.output = (this.output + b).slice(-4000)));
    this.proc.stderr!.on('data', (b) => (this.output = (this.output + b).slice(-4000)));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => {
      this.exitCode = code ?? -1;
      resolve();
    }));
  }

  /** Resolves with the port once the service says it listens; rejects if it dies or takes 60 s. */
  async ready(): Promise<number> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.output);
      if (m) return (this.port = Number(m[1]));
      if (this.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.variant.id} did not start: ${this.output.trim().split('\n').slice(-3).join(' ')}`);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** SIGTERM, then the exit (a clean shutdown exits 0); SIGKILL after 15 s. */
  async stop(): Promise<number> {
    if (this.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exitCode!;
  }

  kill(): void {
    if (this.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** The request body every run sends: one seeded image. */
function image(): Buffer {
  const x = new Float32Array(INPUT_FLOATS);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.5 + 0.5;
  return Buffer.from(x.buffer);
}

const post = (s: Server, body: Buffer) =>
  fetch(s.url('/predict'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });

/** The value at a percentile (nearest rank) of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** One autocannon run; latency percentiles from every response's own time (autocannon's histogram keeps whole ms). */
async function load(s: Server, body: Buffer, seconds: number, rate?: number): Promise<Omit<ServiceRun, 'variant' | 'round' | 'loopP50Ms' | 'loopP99Ms' | 'loopMaxMs'>> {
  const autocannon = peer('autocannon');
  const latencies: number[] = [];
  const tracker = autocannon({
    url: s.url('/predict'), method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body,
    connections: CONNECTIONS, duration: seconds, ...(rate ? { overallRate: Math.round(rate) } : {}),
  });
  tracker.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await tracker;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, perSecond: latencies.length / (result.duration || seconds),
    p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), p999Ms: percentile(latencies, 99.9),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function stats(s: Server, reset: boolean): Promise<{ eventLoopDelayMs: { p50: number; p99: number; max: number } }> {
  return (await fetch(s.url(`/stats${reset ? '?reset=1' : ''}`))).json() as never;
}

async function main(): Promise<void> {
  const started = Date.now();
  const wanted = option('variants')?.split(',') ?? (quick ? ['convkit-1t', 'ort-2t'] : undefined);
  // A variant driven at another's rate comes after it (warm-up order is start order).
  const chosen = VARIANTS.filter((v) => !wanted || wanted.includes(v.id));
  if (!chosen.length) throw new Error(`no variant matches --variants ${wanted!.join(',')}`);
  const installNote = ensurePeersInstalled();
  try {
    peer('autocannon');
  } catch (e) {
    throw new Error(`autocannon is not installed in bench/node_modules (npm ci in bench/): ${(e as Error).message}`);
  }
  const body = image();
  const infos: VariantInfo[] = [];
  const servers: Server[] = [];
  const cleanup = () => servers.forEach((s) => s.kill());
  process.once('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

  // Start every service, then check they answer the same (same weights, same model).
  let reference: number[] | null = null;
  for (const v of chosen) {
    const s = new Server(v);
    try {
      await s.ready();
      const answer = (await (await post(s, body)).json()) as { scores: number[] };
      // Every model answers the same (the HTTP-only floor has none).
      if (v.library !== 'none') {
        reference ??= answer.scores;
        const diff = Math.max(...answer.scores.map((x, i) => Math.abs(x - reference![i])));
        if (!(diff <= 1e-5)) throw new Error(`its scores differ from ${chosen[0].id}'s by ${diff}`);
      }
      servers.push(s);
      infos.push({ ...v, available: true });
    } catch (e) {
      s.kill();
      infos.push({ ...v, available: false, reason: (e as Error).message });
    }
  }
  if (!servers.length) throw new Error(`no service started: ${infos.map((i) => `${i.id}: ${i.reason}`).join('; ')}`);

  const total = servers.length * (ROUNDS + 1);
  const bar = progress();
  bar.start(total, 'warm-up');
  // The latest rate of each variant, for those driven at another's rate.
  const lastRate = new Map<string, number>();
  const rateFor = (v: Variant) => (v.rateOf ? lastRate.get(v.rateOf) : undefined);
  for (const s of servers) {
    bar.task(`${s.variant.id} warm-up`);
    lastRate.set(s.variant.id, (await load(s, body, WARMUP_SECONDS, rateFor(s.variant))).perSecond);
    bar.increment();
  }
  const runs: ServiceRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < servers.length; k++) {
      const s = servers[(k + round) % servers.length];
      bar.task(`round ${round + 1}/${ROUNDS} ${s.variant.id}`);
      await stats(s, true);
      const r = await load(s, body, SECONDS, rateFor(s.variant));
      lastRate.set(s.variant.id, r.perSecond);
      const loop = (await stats(s, true)).eventLoopDelayMs;
      runs.push({ variant: s.variant.id, round, ...r, loopP50Ms: loop.p50, loopP99Ms: loop.p99, loopMaxMs: loop.max });
      bar.increment();
    }
  }
  bar.task('shutting down');
  const exits = await Promise.all(servers.map((s) => s.stop()));
  bar.stop();
  servers.forEach((s, i) => {
    const info = infos.find((x) => x.id === s.variant.id)!;
    info.shutdownExitCode = exits[i];
  });

  const report: ServiceReport = {
    date: new Date().toISOString(), cpu: `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`,
    command: commandLine('bench:service', args), quick, rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS,
    installNote, variants: infos, runs,
    rows: infos.filter((i) => i.available).map((i) => {
      const mine = runs.filter((r) => r.variant === i.id);
      const med = (f: (r: ServiceRun) => number) => median(mine.map(f));
      return {
        variant: i.id, perSecond: med((r) => r.perSecond), p50Ms: med((r) => r.p50Ms), p99Ms: med((r) => r.p99Ms), p999Ms: med((r) => r.p999Ms),
        loopP50Ms: med((r) => r.loopP50Ms), loopP99Ms: med((r) => r.loopP99Ms), errors: mine.reduce((a, r) => a + r.errors, 0),
      };
    }),
    seconds: (Date.now() - started) / 1000,
  };
  const out = option('out') ?? join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'service.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'service.html'), renderServiceHtml(report));
  writeResult({ name: 'service', title: 'convkit in examples/service under load, against onnxruntime-node', command: report.command, body: renderServiceMarkdown(report), outDir: out });
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(report)}\n`);
  else console.log(`${renderServiceTable(report)}\n\nwritten: ${join(out, 'service.md')}, ${join(out, 'service.json')}, ${join(out, 'service.html')} (${report.seconds.toFixed(0)} s)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
