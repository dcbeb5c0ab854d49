// `npm run build:wasm`: compiles assembly/ once per build that asconfig.json lists (generated
// from the wasm builds of kernels.json), into dist/wasm/convkit-<build>.wasm, and the SIMD builds
// gzipped together into dist/wasm/convkit-simd-builds.gz, which the browser bundle embeds: the
// builds differ in a few opcodes, so the second and third cost almost nothing once the first is
// in deflate's window (6 KB for the three, against 15 KB gzipped one by one).
//
// That file is a gzip of: a little-endian u32 count, then per build a u32 name length, the name
// (UTF-8) and a u32 byte length, then the modules back to back (read by lib/backends/wasm-pack.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(dirname(createRequire(join(root, 'package.json')).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const { targets } = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8'));
for (const target of Object.keys(targets)) {
  const r = spawnSync(process.execPath, [asc, '--config', 'asconfig.json', '--target', target], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build:wasm: the ${target} build failed`);
    process.exit(r.status ?? 1);
  }
}
const { wasm } = JSON.parse(readFileSync(join(root, 'kernels.json'), 'utf8'));
const packed = wasm.builds.filter((b) => b.enable.includes('simd')).map((b) => ({ name: b.name, bytes: readFileSync(join(root, targets[b.name].outFile)) }));
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const header = [u32(packed.length), ...packed.flatMap(({ name, bytes }) => [u32(Buffer.byteLength(name)), Buffer.from(name), u32(bytes.length)])];
const blob = Buffer.concat([...header, ...packed.map((p) => p.bytes)]);
writeFileSync(join(root, 'dist', 'wasm', 'convkit-simd-builds.gz'), gzipSync(blob, { level: constants.Z_BEST_COMPRESSION }));
