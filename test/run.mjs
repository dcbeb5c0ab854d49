// `npm test`: mocha over test/**/*.test.ts (through tsx), closing with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm install` (or `npm run build`) first');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const args = [mocha, '--import=tsx', '--reporter', join(root, 'test', 'helpers', 'summary-reporter.cjs'),
  '--timeout', '600000', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['test/**/*.test.ts'])];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status === null) {
  // A crash of the process (a signal) is a failure CI must see, not a silent exit.
  console.log(`the test process was killed by ${result.signal}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
process.exit(result.status);
