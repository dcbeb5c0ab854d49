// One candidate in its own process: loads its library, then prepares, verifies and times
// workloads as the parent asks. Nothing else runs in this process while it measures.
import { workloadData } from '../../suite/data';
import { peerWorkloads } from '../../suite/merge-workloads';
import { allCandidates, type Runner } from './candidates';
import type { FromChild, ToChild } from './protocol';
import { maxError } from './reference';
import { isNetwork, networkData, withNetworks } from '../networks/workloads';

const send = (m: FromChild): void => void process.send!(m);
const candidate = allCandidates().find((c) => c.id === process.argv[2]);
let runner: Runner | null = null;

async function timedRun(r: Runner): Promise<number> {
  const t0 = performance.now();
  const pending = r.run();
  if (pending instanceof Promise) await pending;
  return performance.now() - t0;
}

async function handle(m: ToChild): Promise<void> {
  switch (m.type) {
    case 'prepare': {
      const w = withNetworks(peerWorkloads()).find((x) => x.id === m.workload)!;
      const rssBefore = process.memoryUsage.rss();
      runner = await candidate!.prepare(w, isNetwork(w) ? networkData(w) : workloadData(w));
      const firstRunMs = await timedRun(runner);
      const error = maxError(await runner.output(), m.referencePath);
      // Warm-up: up to 3 more runs, stopping early for slow candidates.
      for (let i = 0, spent = firstRunMs; i < 3 && spent < 500; i++) spent += await timedRun(runner);
      const memory = { rssDeltaMb: (process.memoryUsage.rss() - rssBefore) / 2 ** 20, plannedMb: runner.plannedBytes && runner.plannedBytes / 2 ** 20 };
      return send({ type: 'prepared', maxError: error, firstRunMs, memory });
    }
    case 'measure': {
      const times: number[] = [];
      const start = performance.now();
      while (times.length < m.minRuns || performance.now() - start < m.budgetMs) times.push(await timedRun(runner!));
      return send({ type: 'measured', times });
    }
    case 'release':
      runner?.release();
      runner = null;
      return send({ type: 'released' });
    case 'exit':
      send({ type: 'exited', maxRssMb: process.resourceUsage().maxRSS / 1024 });
      process.disconnect();
      return;
  }
}

async function main(): Promise<void> {
  if (!candidate) return send({ type: 'unavailable', reason: `unknown candidate ${process.argv[2]}` });
  try {
    await candidate.init();
  } catch (e) {
    return send({ type: 'unavailable', reason: (e as Error).message.replace(/\s*\n\s*/g, ' ') });
  }
  send({ type: 'ready' });
  process.on('message', (m: ToChild) => {
    handle(m).catch((e) => send({ type: 'failed', reason: (e as Error).message.split('\n')[0] }));
  });
}

void main();
