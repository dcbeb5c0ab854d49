// `npm run build:wasm`: compiles assembly/ once per build that asconfig.json lists (generated
// from the wasm builds of kernels.json), into dist/wasm/convkit-<build>.wasm, and a gzipped copy
// of each, convkit-<build>.wasm.gz, which the browser bundle embeds (a third of the size).
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
for (const { outFile } of Object.values(targets)) {
  writeFileSync(join(root, `${outFile}.gz`), gzipSync(readFileSync(join(root, outFile)), { level: constants.Z_BEST_COMPRESSION }));
}
