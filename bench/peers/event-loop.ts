// Event-loop health: a stream of convolutions (workload C1) for a fixed time, through convkit's
// forwardAsync, convkit's forward, and onnxruntime-node's session.run, each in its own process,
// with perf_hooks.monitorEventLoopDelay watching the loop. What a Node service feels.
import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface EventLoopRow {
  variant: string;
  threads: number;
  runs?: number;
  perSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  error?: string;
}

export const VARIANTS = ['convkit forwardAsync', 'convkit forward', 'onnxruntime-node session.run'] as const;

export async function runEventLoopHealth(durationMs: number): Promise<EventLoopRow[]> {
  const rows: EventLoopRow[] = [];
  for (const variant of VARIANTS) {
    rows.push(await new Promise<EventLoopRow>((resolve) => {
      const child = fork(join(__dirname, 'event-loop-child.ts'), [variant, String(durationMs)], {
        execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: join(__dirname, '..'),
      });
      let stderr = '';
      child.stderr!.on('data', (b) => (stderr = (stderr + b).slice(-1000)));
      child.once('message', (m: EventLoopRow) => resolve(m));
      child.once('exit', (code) => resolve({ variant, threads: 0, error: `exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}` }));
    }));
  }
  return rows;
}
