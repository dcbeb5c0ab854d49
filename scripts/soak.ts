// `npm run soak`: the memory soak on every backend that loads here. Per backend: 100,000
// synchronous forwards and 10,000 forwardAsync calls (8 in flight) of a small CNN, with layer
// churn (layers created and dropped, setWeights, gemm/gemmAsync) every 50 calls; memory is sampled
// after a full GC before, after the warm-up (the first 5 % of calls) and after every further 5 %.
// Fails (exit code 1) when RSS grows by 10 MB or more after the warm-up.
// Options: --forwards N --async N (per backend).
import { Presets, SingleBar } from 'cli-progress';
import * as ck from '../lib/index';
import { formatResult, RSS_GROWTH_BOUND, soak, type MemorySample, type SoakResult } from './soak-run';

function count(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (Number.isInteger(n) && n >= 0) return n;
  console.error(`soak: expected a non-negative integer after --${name} but received '${process.argv[i + 1]}' (usage: npm run soak -- --forwards N --async N)`);
  process.exit(2);
}

const forwards = count('forwards', 100_000);
const asyncCalls = count('async', 10_000);
const CONCURRENCY = 8;
const CHURN_EVERY = 50;

/** A bar on a terminal; on CI (no TTY) one plain line per tenth of the run. */
function progress(backend: string): { update: (done: number, total: number, s?: MemorySample) => void; stop: () => void } {
  const started = performance.now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: ` ${backend} {bar} {percentage}% | {value}/{total} calls | {eta_formatted} left | rss {rss} MB`, stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    let shown = false;
    return {
      update: (done, total, s) => {
        if (!shown) bar.start(total, 0, { rss: '-' });
        shown = true;
        bar.update(done, s ? { rss: (s.rss / 1e6).toFixed(1) } : {});
      },
      stop: () => bar.stop(),
    };
  }
  let tenth = 0;
  return {
    update: (done, total) => {
      if (total === 0 || Math.floor((done * 10) / total) <= tenth) return;
      tenth = Math.floor((done * 10) / total);
      console.error(`  ${backend}: ${tenth * 10}% (${done}/${total} calls, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    },
    stop: () => {},
  };
}

async function main(): Promise<void> {
  const names = ck.backends();
  console.log(`convkit memory soak on ${names.join(', ')}: per backend ${forwards} forwards + ${asyncCalls} forwardAsync (${CONCURRENCY} in flight)`);
  console.log(`  model: Conv2D(8, 3x3, same, relu) -> MaxPool2D(2) -> Dense(10) on [1, 16, 16, 3]; a churn round every ${CHURN_EVERY} calls`);
  console.log(`  memory after a full GC; warm-up: the first 5 %; V8's young generation held at its size (see scripts/soak-run.ts)`);
  console.log(`  bound: RSS growth after warm-up < ${RSS_GROWTH_BOUND / 1e6} MB`);
  const results: SoakResult[] = [];
  for (const backend of names) {
    const bar = progress(backend);
    let r: SoakResult;
    try {
      r = await soak({ backend, forwards, asyncCalls, concurrency: CONCURRENCY, churnEvery: CHURN_EVERY, onProgress: bar.update });
    } finally {
      bar.stop();
    }
    results.push(r);
    console.log(`\n${backend} (${r.isa}, ${r.threads} threads): ${r.churnRounds} churn rounds, elapsed ${(r.elapsedMs / 1000).toFixed(1)} s`);
    console.log(formatResult(r));
  }
  const failed = results.filter((r) => !r.pass).map((r) => r.backend);
  console.log(`\n${failed.length ? `FAIL (${failed.join(', ')})` : 'PASS'}: ${results.map((r) => `${r.backend} ${r.pass ? 'pass' : 'fail'}`).join(', ')}`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
