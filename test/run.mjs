// `npm test`: mocha over test/**/*.test.ts (through tsx), closing with `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm install` (or `npm run build`) first');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Type-check the sources, tests and bench scripts first: tsx runs TypeScript without checking it.
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.check.json'], { cwd: root, encoding: 'utf8' });
if (tsc.status !== 0) {
  console.log(`type check failed (tsc -p tsconfig.check.json):\n${tsc.stdout}${tsc.stderr}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
// The relaxed-SIMD wasm build runs where WebAssembly.validate accepts relaxed SIMD: Chromium, and
// Node 20 with this V8 flag. With it, every wasm sweep here covers that build too (the browser
// tests cover it in Chromium); a Node whose V8 refuses the flag runs without it.
const RELAXED = '--experimental-wasm-relaxed-simd';
// mocha runs the specs in a child node and passes it V8 flags given as --v8-<flag>.
const relaxedFlag = spawnSync(process.execPath, [RELAXED, '-e', '0']).status === 0 ? [`--v8-${RELAXED.slice(2)}`] : [];
const args = [mocha, ...relaxedFlag, '--import=tsx', '--reporter', join(root, 'test', 'helpers', 'summary-reporter.cjs'),
  '--timeout', '120000', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['test/**/*.test.ts'])];
// Output is passed through as it comes; if mocha dies before its reporter prints the closing
// line (a load error, a crash), this prints one so that CI still sees a failed run.
const child = spawn(process.execPath, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
/** [passed, failed, skipped] from mocha's closing line, once printed. */
let summarised = null;
let stuck = null;
// A run must end: a test that hangs fails by mocha's timeout above, and a process that stays
// alive after its summary (a worker or handle left behind) or past the whole run's limit is
// killed and counted as a failure, so that CI never waits out its own limit.
const LIMIT_MINUTES = Number(process.env.CONVKIT_TEST_LIMIT_MINUTES || 40);
const kill = (why) => {
  stuck = why;
  child.kill('SIGKILL');
};
const limit = setTimeout(() => kill(`the test run took longer than ${LIMIT_MINUTES} minutes`), LIMIT_MINUTES * 60000);
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const m = !summarised && /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/m.exec(chunk.toString());
  if (m) {
    summarised = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    setTimeout(() => kill('the test process did not exit within 30 s of its summary (a handle or worker left alive)'), 30000).unref();
  }
});
child.on('close', (code, signal) => {
  clearTimeout(limit);
  if (stuck) {
    const [passed, failed, skipped] = summarised ?? [0, 0, 0];
    console.log(stuck);
    console.log(`${passed} passed, ${failed + 1} failed, ${skipped} skipped`);
    process.exit(1);
  }
  if (signal) console.log(`the test process was killed by ${signal}`);
  if (!summarised) console.log('0 passed, 1 failed');
  process.exit(signal || !summarised ? 1 : code);
});
