// Progress of a bench run on stderr: a bar on a terminal, and where stderr is not one (a CI log,
// a pipe, a file) one plain line per step, with no carriage returns or cursor escapes.
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  /** Starts counting `total` steps. */
  start(total: number, task: string): void;
  /** Names the step under way (a line of its own where stderr is not a terminal). */
  task(task: string): void;
  /** One step done. */
  increment(): void;
  stop(): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr, tty = Boolean(stream.isTTY)): Progress {
  if (tty) {
    const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} | {task}', stream, hideCursor: true }, Presets.shades_classic);
    return {
      start: (total, task) => bar.start(total, 0, { task }),
      task: (task) => bar.update({ task }),
      increment: () => bar.increment(),
      stop: () => bar.stop(),
    };
  }
  let done = 0, total = 0;
  const width = () => String(total).length;
  return {
    start(n, task) {
      total = n;
      done = 0;
      stream.write(`[${'0'.padStart(width())}/${total}] ${task}\n`);
    },
    task: (task) => stream.write(`[${String(done).padStart(width())}/${total}] ${task}\n`),
    increment: () => void done++,
    stop: () => undefined,
  };
}
