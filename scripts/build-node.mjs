// `npm run build:node`: the Node entry as one CommonJS file, dist/index.js (what `require` and
// esm/index.mjs load). One file instead of 35 halves the time from `require('convkit')` to the
// first forward (`npm run bench:coldstart`): Node resolves, reads and wraps each module file in
// turn. The wasm backend, training and the model format are in the file too, but lib/index.ts
// requires them on first use, so their code is not run before then (nor the Node built-ins they
// need loaded). tsc writes only the type declarations (tsconfig.json: emitDeclarationOnly).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  absWorkingDir: root,
  entryPoints: ['lib/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Not minified, so names stay as written: no keepNames, whose __name() wrapper would run
  // every time a closure is made on a hot path (6 % of a small wasm forward). Class names, which
  // messages show ("received an object of type Tensor"), are checked by test/structure.test.ts.
  // node-gyp-build looks for the addon from the package root, at run time.
  external: ['node-gyp-build', 'protobufjs'],
  // The only modules that read __dirname are in lib/backends/ (native.ts finds the package root
  // two levels up, wasm-node.ts finds dist/wasm one level up): they see dist/backends, where
  // their unbundled build lived.
  define: { __dirname: '__convkitBackendsDir' },
  banner: { js: "const __convkitBackendsDir = require('node:path').join(__dirname, 'backends');" },
  logLevel: 'warning',
});
