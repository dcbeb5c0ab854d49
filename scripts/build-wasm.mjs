// `npm run build:wasm`: compiles assembly/ once per build that asconfig.json lists (generated
// from the wasm builds of kernels.json), into dist/wasm/convkit-<build>.wasm, and all of them
// deflated together into dist/wasm/convkit-builds.bin, which the browser bundle embeds (its
// layout: lib/backends/wasm-pack.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, deflateRawSync } from 'node:zlib';

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
const builds = wasm.builds.map((b) => ({ name: b.name, bytes: readFileSync(join(root, targets[b.name].outFile)) }));
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const header = [u32(builds.length), ...builds.flatMap(({ name, bytes }) => [u32(Buffer.byteLength(name)), Buffer.from(name), u32(bytes.length)])];
const pack = Buffer.concat([...header, ...builds.map((b) => b.bytes)]);
const file = Buffer.concat([u32(pack.length), deflateRawSync(pack, { level: constants.Z_BEST_COMPRESSION })]);
writeFileSync(join(root, 'dist', 'wasm', 'convkit-builds.bin'), file);
