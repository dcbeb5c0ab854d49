// `npm run bench:compare -- <other checkout> [rounds] [--only C3,D2]`: runs `npm run bench` of
// this tree and of another built checkout (e.g. `git worktree add /tmp/base <commit>`, then
// `npm run build:native && npm run build` there) in alternating order, `rounds` times each
// (default 7), and prints per row the median of the medians and the speed ratio this/other.
// Interleaving keeps a noisy machine's drift out of the ratio.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const [other, rounds = '7'] = args;
if (!other) {
  console.error('usage: npm run bench:compare -- <other checkout> [rounds] [--only C3,D2]');
  process.exit(2);
}
const trees = { this: here, other: resolve(other) };
// Each run's result file goes here, not over the trees' bench/results/bench.md.
const scratch = mkdtempSync(join(tmpdir(), 'convkit-compare-'));
const medians = { this: {}, other: {} };
for (let r = 0; r < Number(rounds); r++) {
  for (const name of r % 2 ? ['this', 'other'] : ['other', 'this']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--quick', '--json', '--threads', '1,2', '--out', scratch, ...(only ? ['--only', only] : [])],
      { cwd: trees[name], encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const row of JSON.parse(out.slice(out.indexOf('{'))).rows) (medians[name][`${row.workload} ${row.backend} ${row.threads}t`] ??= []).push(row.medianMs);
  }
  process.stderr.write(`round ${r + 1}/${rounds}\n`);
}
rmSync(scratch, { recursive: true, force: true });
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`${'row'.padEnd(16)} ${'other ms'.padStart(10)} ${'this ms'.padStart(10)}  this/other speed`);
for (const key of Object.keys(medians.this)) {
  const o = median(medians.other[key] ?? [NaN]), t = median(medians.this[key]);
  console.log(`${key.padEnd(16)} ${o.toFixed(3).padStart(10)} ${t.toFixed(3).padStart(10)}  ${(o / t).toFixed(2)}`);
}
