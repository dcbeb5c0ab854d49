// `npm run bench:peers`: convkit against the libraries a user would pick instead, on the 12
// standard workloads. Each candidate runs in its own child process; the rounds are interleaved
// (A B C A B C ...) so drift hits everyone alike; every output is verified against the float64
// reference first. Options: --only C3,D2  --threads 1,2  --candidates ort-node-1t,...  --quick
// --json  --no-event-loop  --no-cold-start  --out DIR (default bench/results). Writes peers.md,
// latest.json, latest.html and latest.svg there.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { workloadData } from '../suite/data';
import { runColdStart, type ColdStartRow } from './peers/cold-start';
import { runEventLoopHealth, type EventLoopRow } from './peers/event-loop';
import { type FromChild, MAX_RELATIVE_ERROR, type ToChild } from './peers/protocol';
import { writeReference } from './peers/reference';
import { chart, renderHtml, renderMarkdown, renderTable, scoreWorkload, type CandidateInfo, type PeerReport, type PeerRow } from './peers/report';
import { ensurePeersInstalled } from './peers/install';
import { work } from '../suite/workloads';
import { peerWorkloads } from '../suite/merge-workloads';
import { allCandidates } from './peers/candidates';
import { progress } from './progress';
import { isNetwork, networkBound, networkData, networkWork, withNetworks, writeNetworkReference } from './networks/workloads';
import { commandLine, writeResult } from './result-file';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const quick = args.includes('--quick');
const only = option('only')?.split(',');
const threadCounts = (option('threads') ?? '1,2').split(',').map(Number);
const ROUNDS = quick ? 2 : 5;
const BUDGET_MS = quick ? 150 : 1000; // per candidate and workload, spread over the rounds
const MIN_RUNS_PER_ROUND = quick ? 1 : 2;

/** A candidate's child process, answering one request at a time. */
class Child {
  private proc: ChildProcess;
  private waiting: ((m: FromChild) => void) | null = null;
  private stderr = '';
  exited = false;

  constructor(readonly id: string) {
    this.proc = fork(join(__dirname, 'peers', 'child.ts'), [id], {
      execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: __dirname,
    });
    this.proc.stderr!.on('data', (b) => (this.stderr = (this.stderr + b).slice(-2000)));
    this.proc.on('message', (m: FromChild) => this.waiting?.(m));
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      this.waiting?.({ type: 'failed', reason: `process exited (${signal ?? `code ${code}`}) ${this.stderr.trim().split('\n').pop() ?? ''}`.trim() });
    });
  }

  next(): Promise<FromChild> {
    return new Promise((resolve) => {
      this.waiting = (m) => {
        this.waiting = null;
        resolve(m);
      };
    });
  }

  async request(m: ToChild): Promise<FromChild> {
    if (this.exited) return { type: 'failed', reason: 'process has exited' };
    const reply = this.next();
    this.proc.send(m);
    return reply;
  }

  kill(): void {
    if (!this.exited) this.proc.kill();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const wanted = option('candidates')?.split(',');
  const workloads = withNetworks(peerWorkloads()).filter((w) => !only || only.includes(w.id));
  if (!workloads.length) throw new Error(`no workload matches --only ${only!.join(',')}`);
  const chosen = allCandidates().filter((c) => (wanted ? wanted.includes(c.id) : !c.threaded || threadCounts.includes(c.threads)));
  if (!chosen.length) throw new Error(`no candidate matches --candidates ${wanted!.join(',')}`);
  // Peers install on first use; a run of convkit alone needs none of them.
  const installNote = chosen.some((c) => c.library !== 'convkit') ? ensurePeersInstalled() : undefined;

  const bar = progress();

  // Start every candidate; those whose library does not load say why.
  const candidates: CandidateInfo[] = [];
  const children = new Map<string, Child>();
  for (const c of chosen) {
    const child = new Child(c.id);
    const hello = await child.next();
    const info: CandidateInfo = { id: c.id, label: c.label, library: c.library, layout: c.layout, threads: c.threads, available: hello.type === 'ready' };
    if (hello.type === 'ready') children.set(c.id, child);
    else {
      info.reason = hello.type === 'unavailable' || hello.type === 'failed' ? hello.reason : 'no answer';
      child.kill();
    }
    candidates.push(info);
  }

  const live = () => candidates.filter((c) => c.available && children.has(c.id));
  bar.start(workloads.length * (live().length * (ROUNDS + 1)), 'starting');
  const refDir = mkdtempSync(join(tmpdir(), 'convkit-ref-'));
  const rows: PeerRow[] = [];
  try {
    for (const w of workloads) {
      const data = isNetwork(w) ? networkData(w) : workloadData(w);
      const refPath = join(refDir, `${w.id}.bin`);
      bar.task(`${w.id}: ${isNetwork(w) ? 'convkit native reference' : 'float64 reference'}`);
      if (isNetwork(w)) await writeNetworkReference(w, data, refPath);
      else writeReference(w, data, refPath);
      const { amount, unit } = isNetwork(w) ? networkWork(w) : work(w, data.outputShape);
      const bound = isNetwork(w) ? networkBound(w) : MAX_RELATIVE_ERROR;
      const times = new Map<string, number[]>();
      const rowOf = new Map<string, PeerRow>();
      // TensorFlow.js's plain-JS backend takes seconds per network run: left out of those rows.
      for (const c of live().filter((c) => !(isNetwork(w) && c.id === 'tfjs-cpu'))) {
        bar.task(`${w.id}: ${c.label} warm-up`);
        const reply = await children.get(c.id)!.request({ type: 'prepare', workload: w.id, referencePath: refPath });
        const row: PeerRow = { workload: w.id, name: w.name, candidate: c.id, unit, runs: 0, medianMs: NaN, minMs: NaN, rate: NaN, ratioToBestPeer: NaN, verified: false };
        if (reply.type === 'prepared') {
          row.maxError = reply.maxError;
          row.verified = reply.maxError <= bound;
          row.memory = reply.memory;
          if (isNetwork(w)) row.bound = bound;
          times.set(c.id, []);
        } else row.error = reply.type === 'failed' ? reply.reason : `unexpected ${reply.type}`;
        rowOf.set(c.id, row);
        rows.push(row);
        bar.increment();
      }
      // Interleaved rounds, the order rotated each round.
      const ids = [...times.keys()];
      for (let r = 0; r < ROUNDS; r++) {
        for (let i = 0; i < ids.length; i++) {
          const id = ids[(i + r) % ids.length];
          bar.task(`${w.id}: ${id} round ${r + 1}/${ROUNDS}`);
          const reply = await children.get(id)!.request({ type: 'measure', budgetMs: BUDGET_MS / ROUNDS, minRuns: MIN_RUNS_PER_ROUND });
          if (reply.type === 'measured') times.get(id)!.push(...reply.times);
          else rowOf.get(id)!.error = reply.type === 'failed' ? reply.reason : `unexpected ${reply.type}`;
          bar.increment();
        }
      }
      for (const id of ids) if (times.get(id)!.length) await children.get(id)!.request({ type: 'release' });
      scoreWorkload(rows.filter((r) => r.workload === w.id), times, amount);
    }
  } finally {
    for (const c of candidates) {
      const child = children.get(c.id);
      if (!child) continue;
      const reply = await child.request({ type: 'exit' });
      if (reply.type === 'exited') c.peakRssMb = reply.maxRssMb;
      child.kill();
    }
    bar.stop();
    rmSync(refDir, { recursive: true, force: true });
  }

  let eventLoop: EventLoopRow[] = [];
  if (!args.includes('--no-event-loop')) {
    process.stderr.write('event-loop health: streams of convolutions for about 2 s each\n');
    eventLoop = await runEventLoopHealth(quick ? 700 : 2000);
  }

  let coldStart: ColdStartRow[] = [];
  if (!args.includes('--no-cold-start')) {
    process.stderr.write('cold start: fresh processes, loading the library to the first C1 result\n');
    coldStart = runColdStart(quick ? 2 : 5, chosen.some((c) => c.library === 'onnxruntime-web'));
  }

  const report: PeerReport = {
    date: new Date().toISOString(),
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    command: commandLine('bench:peers', args),
    quick, rounds: ROUNDS, budgetMs: BUDGET_MS, maxRelativeError: MAX_RELATIVE_ERROR,
    installNote, candidates, rows, eventLoop, coldStart, seconds: (Date.now() - started) / 1000,
  };
  const outDir = option('out') ?? join(__dirname, 'results');
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'latest.html'), renderHtml(report));
  writeFileSync(join(outDir, 'latest.svg'), chart(report));
  writeResult({ name: 'peers', title: 'convkit against onnxruntime-node, onnxruntime-web and TensorFlow.js', command: report.command, body: renderMarkdown(report), outDir });
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else console.log(renderTable(report));
  process.stderr.write(`wrote peers.md, latest.json, latest.html and latest.svg in ${outDir} (${report.seconds.toFixed(0)} s)\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
