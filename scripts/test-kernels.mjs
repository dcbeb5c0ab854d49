// `npm run test:kernels` / `npm run test:arm64`: compiles the C++ kernel test program
// (test/native/kernel-test.cc) with the kernels binding.gyp builds for one architecture and runs
// it: natively for the machine's own architecture (with AddressSanitizer and UBSan), under
// qemu-user for the other one (statically linked, so no target sysroot is needed at run time).
// `node scripts/test-kernels.mjs [x64|arm64]`, the machine's architecture by default. Closes
// with the program's `N passed, N failed` line (`0 passed, 1 failed` when it could not run).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// What each architecture needs when it is not the machine's own (Debian package names).
const CROSS = {
  x64: { triple: 'x86_64-linux-gnu', qemu: 'qemu-x86_64', packages: 'g++-x86-64-linux-gnu qemu-user' },
  arm64: { triple: 'aarch64-linux-gnu', qemu: 'qemu-aarch64', packages: 'g++-aarch64-linux-gnu qemu-user' },
};
// The kernel sources besides the micro-kernels (which come from binding.gyp).
const SUPPORT = ['native/kernels/cpu-features.cc', 'native/kernels/gemm-driver.cc', 'native/kernels/pack-a.cc',
  'native/kernels/pack-weights.cc', 'native/kernels/fault-injection.cc', 'native/kernels/thread-pool.cc', 'native/ops/col2im.cc', 'native/ops/im2col.cc',
  'native/ops/indirection.cc', 'native/ops/plan.cc', 'native/ops/winograd.cc', 'native/ops/workspace.cc'];
const SUMMARY = /^(\d+) passed, (\d+) failed$/;

const arch = process.argv[2] || hostArch();
const label = `test:kernels (${arch})`;
function fail(message) {
  console.log(`${label}: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (process.platform !== 'linux') fail('runs on Linux only (it cross-compiles with Debian toolchains and runs under qemu-user)');
if (!(arch in CROSS)) fail(`unknown architecture ${arch} (x64 or arm64)`);

/** The micro-kernel sources binding.gyp compiles for target_arch `arch`. */
function kernelSources(gypText, targetArch) {
  const gyp = JSON.parse(gypText.replace(/^\s*#.*$/gm, ''));
  const target = gyp.targets[0];
  const sources = [...target.sources];
  for (const [condition, branch] of target.conditions || []) {
    const m = /^target_arch=='(\w+)'$/.exec(condition);
    if (m && m[1] === targetArch) sources.push(...branch.sources);
  }
  return sources.filter((s) => /^native\/kernels\/(f32|x32)-[^/]+\.cc$/.test(s));
}

const native = arch === hostArch();
const { triple, qemu, packages } = CROSS[arch];
const cxx = native ? process.env.CXX || 'g++' : `${triple}-g++`;
const have = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
if (!have(cxx)) fail(`${cxx} not found (Debian: apt-get install ${packages})`);
if (!native && !have(qemu)) fail(`${qemu} not found (Debian: apt-get install ${packages})`);

const outDir = join(root, 'build-kernel-test', arch);
mkdirSync(outDir, { recursive: true });
const exe = join(outDir, 'kernel-test');
const sources = ['test/native/kernel-test.cc', ...SUPPORT, ...kernelSources(readFileSync(join(root, 'binding.gyp'), 'utf8'), arch)];
const flags = ['-O2', '-g', '-std=c++17', '-Wall', '-Wextra', '-Inative', '-pthread'];
if (native) flags.push('-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer');
else flags.push('-static');
const started = Date.now();
const cc = spawnSync(cxx, [...flags, ...sources, '-o', exe], { cwd: root, encoding: 'utf8' });
if (cc.stdout || cc.stderr) console.error(`${cc.stdout}${cc.stderr}`.trimEnd());
if (cc.status !== 0) fail(`${cxx} failed (exit ${cc.status ?? cc.signal})`);
console.log(`${label}: ${cxx} ${flags.join(' ')}: ${sources.length} sources in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const [cmd, args] = native ? [exe, []] : [qemu, [exe]];
const run = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1' } });
const lines = `${run.stdout || ''}`.split('\n').filter(Boolean);
const closing = lines.at(-1) || '';
for (const line of lines.slice(0, -1)) console.log(line);
if (run.stderr) console.error(run.stderr.trimEnd());
console.log(`${label}: ${native ? 'native' : qemu}, ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
const m = SUMMARY.exec(closing);
if (!m || run.status !== 0 && Number(m[2]) === 0) {
  if (closing) console.log(closing);
  fail(`the program ${run.signal ? `was killed by ${run.signal}` : `exited with ${run.status}`} without a passing summary`);
}
console.log(closing);
process.exit(run.status === 0 ? 0 : 1);
