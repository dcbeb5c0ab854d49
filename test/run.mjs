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
const args = [mocha, '--import=tsx', '--reporter', join(root, 'test', 'helpers', 'summary-reporter.cjs'),
  '--timeout', '600000', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['test/**/*.test.ts'])];
// Output is passed through as it comes; if mocha dies before its reporter prints the closing
// line (a load error, a crash), this prints one so that CI still sees a failed run.
const child = spawn(process.execPath, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
let summarised = false;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (/^\d+ passed, \d+ failed/m.test(chunk.toString())) summarised = true;
});
child.on('close', (code, signal) => {
  if (signal) console.log(`the test process was killed by ${signal}`);
  if (!summarised) console.log('0 passed, 1 failed');
  process.exit(signal || !summarised ? 1 : code);
});
