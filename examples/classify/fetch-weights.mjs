// Fetches the pretrained MobileNetV2 that the `nsfwjs` package (MIT, Infinite Red) ships inside
// its npm tarball, and writes it to examples/classify/model/ as a plain TensorFlow.js layers model:
// model.json, group1-shard1of1.bin, labels.json and the package's LICENSE.
// Run: npm run example:weights
//
// The package wraps its files in JavaScript (model.min.js holds the topology and manifest as an
// object literal, the shard as a base64 string), so each is evaluated in an empty V8 context (no
// require, no process, no globals of this script) to take out the value it exports.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';

const PACKAGE = 'nsfwjs@4.3.0';
const INTEGRITY = 'sha512-WTKDte0vp1X97N1h34P79G/hG+sVT3+TnDz9di1WseIJR93v11E4viNX7Vg9WsO6HYoR772Nzq2iM8jo3XBZ+g==';
const FILES = ['LICENSE', 'dist/models/mobilenet_v2/model.min.js', 'dist/models/mobilenet_v2/group1-shard1of1.min.js', 'dist/cjs/nsfw_classes.js'];
const BYTES = { uint8: 1, uint16: 2, float16: 2 };
const OUT = fileURLToPath(new URL('model/', import.meta.url));

/** What a CommonJS/UMD file assigns to module.exports, run with nothing else in reach. */
function exportsOf(file) {
  const module = { exports: {} };
  runInNewContext(readFileSync(file, 'utf8'), { module, exports: module.exports }, { filename: file, timeout: 10000 });
  return module.exports;
}

const tmp = mkdtempSync(join(tmpdir(), 'convkit-weights-'));
try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', tmp], { encoding: 'utf8' }));
  if (packed.integrity !== INTEGRITY) throw new Error(`${PACKAGE} has integrity ${packed.integrity}, expected ${INTEGRITY}`);
  execFileSync('tar', ['-xzf', join(tmp, packed.filename), '-C', tmp, ...FILES.map((f) => `package/${f}`)]);
  const at = (f) => join(tmp, 'package', f);

  const artifacts = exportsOf(at(FILES[1]));
  const shard = Buffer.from(exportsOf(at(FILES[2])), 'base64');
  const classes = exportsOf(at(FILES[3])).NSFW_CLASSES;
  const [group] = artifacts.weightsManifest;
  const bytes = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (BYTES[w.quantization?.dtype] ?? 4), 0);
  if (shard.length !== bytes) throw new Error(`the shard holds ${shard.length} bytes, its manifest ${bytes}`);
  group.paths = ['group1-shard1of1.bin'];

  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'model.json'), JSON.stringify(artifacts));
  writeFileSync(join(OUT, 'group1-shard1of1.bin'), shard);
  copyFileSync(at('LICENSE'), join(OUT, 'LICENSE'));
  writeFileSync(join(OUT, 'labels.json'), `${JSON.stringify({
    source: `${PACKAGE} (npm), dist/models/mobilenet_v2: MobileNetV2 224x224, uint8-quantized, MIT licence (LICENSE)`,
    inputRange: [0, 1],
    labels: Object.keys(classes).sort((a, b) => a - b).map((k) => classes[k]),
  }, null, 2)}\n`);
  console.log(`wrote ${OUT}: model.json, group1-shard1of1.bin (${shard.length} bytes), labels.json, LICENSE`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
