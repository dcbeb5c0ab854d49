// `npm run test:asan`: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build-asan/ (build/Release/convkit.node is left alone), then runs the native-backend tests
// against that build with the sanitizer runtimes preloaded. Any sanitizer report fails the run.
// Closes with the test runner's `N passed, N failed, N skipped` line (one more failure counted
// when a sanitizer reported something). `npm run test:asan -- test/x.test.ts` runs other files.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon, findNodeGyp, withNodedir } from './node-gyp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build-asan');
const addonPath = join(outDir, 'build', 'Release', 'convkit.node');
const SANITIZE = '-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1';
const TESTS = ['conv2d', 'winograd', 'dense', 'gemm', 'maxpool2d', 'onnx', 'validation', 'async', 'determinism', 'constants', 'sequential', 'graph', 'prelu', 'grouped-conv2d', 'separable-conv2d', 'depthwise-conv2d', 'batchnorm', 'merge', 'functional'].map((t) => `test/${t}.test.ts`);
// Written by other engineers; run once they exist.
const OPTIONAL_TESTS = ['test/inflight.test.ts', 'test/property.test.ts'];
// The first line of each report (ASan, LSan, UBSan); a SUMMARY line alone still counts as one.
const REPORT = /ERROR: (?:Address|Leak)Sanitizer|: runtime error: /g;
const ANY_REPORT = /ERROR: AddressSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|LeakSanitizer/;
const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/;

function fail(message) {
  console.log(`test:asan: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** Absolute path of a sanitizer runtime shared library of the compiler node-gyp uses. */
function runtime(name) {
  const cxx = process.env.CXX || 'g++';
  const r = spawnSync(cxx, [`-print-file-name=${name}`], { encoding: 'utf8' });
  const file = (r.stdout || '').trim();
  if (r.status !== 0 || !file.startsWith('/') || !existsSync(file)) fail(`${cxx} has no ${name} (install the compiler's sanitizer runtimes)`);
  return file;
}

// 1. The build, in build-asan/ (scripts/node-gyp.mjs). node-gyp appends CXXFLAGS/LDFLAGS after
// the gyp flags (so -O1 wins over -O3) and rebuilds an object when its command line changes.
const started = Date.now();
const buildEnv = withNodedir({ ...process.env, CFLAGS: SANITIZE, CXXFLAGS: SANITIZE, LDFLAGS: SANITIZE });
delete buildEnv.LD_PRELOAD;
const nodeGyp = findNodeGyp(root);
if (!nodeGyp) fail('node-gyp not found (run this through npm, or install node-gyp)');
const failed = buildAddon({ root, outDir, nodeGyp, env: buildEnv, jobs: 'max' });
if (failed) fail(failed);
if (!existsSync(addonPath)) fail(`the build did not produce ${addonPath}`);
const built = Date.now();
console.log(`test:asan: built ${addonPath} (${SANITIZE}) in ${((built - started) / 1000).toFixed(1)} s`);

// 2. The tests, on the native backend only, with the sanitizer runtimes preloaded (an
// uninstrumented node must load them before anything else) into test/run.mjs and what it
// starts, never the build. Its type check runs under the preload too and is unaffected.
const files = process.argv.slice(2).length ? process.argv.slice(2) : [...TESTS, ...OPTIONAL_TESTS.filter((f) => existsSync(join(root, f)))];
const testEnv = {
  ...process.env,
  LD_PRELOAD: `${runtime('libasan.so')}:${runtime('libubsan.so')}`,
  // No leak checks: node and V8 keep memory until exit by design. Options already in the
  // environment come after these, so they win.
  ASAN_OPTIONS: ['detect_leaks=0:handle_segv=1:halt_on_error=1:exitcode=1', process.env.ASAN_OPTIONS].filter(Boolean).join(':'),
  UBSAN_OPTIONS: ['print_stacktrace=1:halt_on_error=1', process.env.UBSAN_OPTIONS].filter(Boolean).join(':'),
  CONVKIT_BACKEND: 'native',
  CONVKIT_ADDON_PATH: addonPath,
  CONVKIT_TEST_BACKENDS: 'native',
};
console.log(`test:asan: ${files.join(' ')}`);
const child = spawn(process.execPath, [join(root, 'test', 'run.mjs'), ...files], { cwd: root, env: testEnv, stdio: ['inherit', 'pipe', 'pipe'] });

// stdout is passed through line by line, except the closing line, which is printed last.
let closing = null;
let pending = '';
const passLines = (text) => {
  for (const line of text.split('\n')) {
    if (SUMMARY.test(line)) closing = line;
    else process.stdout.write(`${line}\n`);
  }
};
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  if (lines.length) passLines(lines.join('\n'));
});
let stderr = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  stderr += chunk;
});
child.on('close', (code, signal) => {
  if (pending) passLines(pending);
  const seconds = ((Date.now() - built) / 1000).toFixed(1);
  const reports = (stderr.match(REPORT) || []).length || (ANY_REPORT.test(stderr) ? 1 : 0);
  const m = closing && SUMMARY.exec(closing);
  if (signal) console.log(`test:asan: the test runner was killed by ${signal}`);
  if (reports) {
    console.log(`sanitizer reports: ${reports}`);
    console.log(`test:asan: failed (tests ${seconds} s)`);
    const [passed, failed, skipped] = m ? [m[1], Number(m[2]), m[3] ?? '0'] : ['0', 0, '0'];
    console.log(`${passed} passed, ${failed + 1} failed, ${skipped} skipped`);
    process.exit(1);
  }
  console.log(`sanitizer reports: 0`);
  console.log(`test:asan: tests ${seconds} s, build and tests ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!m) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(closing);
  process.exit(signal ? 1 : code ?? 1);
});
