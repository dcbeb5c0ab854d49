// `npm run build:prebuilds`, also run by `prepack` so that `npm pack` / `npm publish` always ship
// fresh ones: the prebuilt N-API addons in node-gyp-build's layout,
//   prebuilds/linux-x64/convkit.napi.glibc.node    baseline x86-64 (AVX2/AVX-512 chosen at run time)
//   prebuilds/linux-arm64/convkit.napi.glibc.node  AArch64 (NEON)
// One binary per platform serves every Node from 20 on (N-API). The machine's own architecture
// is built with g++, the other with Debian's cross compiler (g++-aarch64-linux-gnu or
// g++-x86-64-linux-gnu), each in build-prebuild/<platform>-<arch>/, so build/ is left alone.
// A missing toolchain is an error: a package must never ship without one of its binaries.
// (Not named `prebuild`: npm would run that before every `npm run build`.)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon, findNodeGyp, withNodedir } from './node-gyp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// machine: the ELF e_machine of the architecture, checked on every binary built.
const TARGETS = [
  { arch: 'x64', triple: 'x86_64-linux-gnu', machine: 0x3e, packages: 'g++-x86-64-linux-gnu' },
  { arch: 'arm64', triple: 'aarch64-linux-gnu', machine: 0xb7, packages: 'g++-aarch64-linux-gnu' },
];
// The file name's tags tell node-gyp-build it is an N-API build for glibc (musl systems build
// from source instead).
const FILE = 'convkit.napi.glibc.node';

function fail(message) {
  console.error(`build:prebuilds: ${message}`);
  process.exit(1);
}
if (process.platform !== 'linux') fail('builds the Linux binaries, on Linux only');
const nodeGyp = findNodeGyp(root);
if (!nodeGyp) fail('node-gyp not found (run this through npm, or install node-gyp)');
const have = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

/** e_machine of an ELF64 little-endian file, or null when it is not one. */
function elfMachine(file) {
  const h = readFileSync(file).subarray(0, 20);
  const elf64le = h.length === 20 && h.readUInt32BE(0) === 0x7f454c46 && h[4] === 2 && h[5] === 1;
  return elf64le ? h.readUInt16LE(18) : null;
}

// Everything first checked, then the old prebuilds removed, so a failure leaves none half-made.
const plans = TARGETS.map((t) => {
  const prefix = t.arch === hostArch() ? '' : `${t.triple}-`;
  const tools = { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar`, STRIP: `${prefix}strip` };
  const missing = Object.values(tools).filter((tool) => !have(tool));
  if (missing.length) fail(`${missing.join(', ')} not found: the linux-${t.arch} binary needs them (Debian: apt-get install ${prefix ? t.packages : 'g++ binutils'})`);
  return { ...t, tools };
});
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
for (const t of plans) {
  const started = Date.now();
  const outDir = join(root, 'build-prebuild', `linux-${t.arch}`);
  // Flags from the environment (say -march=native) must not reach a binary built for others.
  const env = withNodedir({ ...process.env, ...t.tools });
  for (const v of ['CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS', 'LD_PRELOAD']) delete env[v];
  const failed = buildAddon({ root, outDir, nodeGyp, env, configureArgs: [`--arch=${t.arch}`] });
  if (failed) fail(failed);
  const dest = join(root, 'prebuilds', `linux-${t.arch}`, FILE);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(outDir, 'build', 'Release', 'convkit.node'), dest);
  // Symbols are for debugging; the package carries both binaries, so it keeps them small.
  const strip = spawnSync(t.tools.STRIP, ['--strip-unneeded', dest], { encoding: 'utf8' });
  if (strip.status !== 0) fail(`${t.tools.STRIP} failed on ${dest}: ${strip.stderr}`);
  const machine = elfMachine(dest);
  if (machine !== t.machine) fail(`${dest} is not an ELF64 binary for ${t.arch} (e_machine ${machine})`);
  const kib = (statSync(dest).size / 1024).toFixed(0);
  console.log(`build:prebuilds: ${relative(root, dest)} (${kib} KiB, ${t.tools.CXX}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
