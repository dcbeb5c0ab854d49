// lib/ in floors that only import downward (DESIGN.md: core -> backends -> ops and layers ->
// graph and models -> train and io -> the entry files), without import cycles, in files of at
// most 300 lines; and what `require('convkit')` loads: on native, neither the wasm backend nor
// training nor the model format, each of which loads on its first use.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cyclePath, cycles, importGraph, lineCount, tsFiles } from './helpers/lib-imports';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'lib');
const MAX_LINES = 300;

// Exceptions, each with its reason; none today. An entry that no longer applies fails the test,
// so that the lists cannot go stale.
const KNOWN_CYCLES: string[][] = [];
const KNOWN_LONG_FILES: string[] = [];

/** The floors, lowest first; a file's floor is the first whose pattern matches its path in lib/. */
const FLOORS: [string, RegExp][] = [
  ['core', /^((tensor|shape|validate|errors|activation|init|version)\.ts|generated\/)/],
  ['backends', /^backends\//],
  ['ops and layers', /^((ops|layers|grad)\/|(gemm|resident)\.ts$)/],
  ['graph and models', /^(graph|models)\//],
  ['train and io', /^(train|model|io|onnx)\//],
  ['entry files', /^(index|browser|browser-onnx|api|load-model)\.ts$/],
];

function floorOf(file: string): number {
  return FLOORS.findIndex(([, pattern]) => pattern.test(file));
}

describe('lib/ structure', () => {
  // Type-only imports vanish from the JavaScript, but they still tie the files together for a
  // reader and for `madge --circular`, which counts them: they count here too.
  it('has no import cycle (type-only imports included)', () => {
    const graph = importGraph(LIB, true);
    const found = cycles(graph);
    const unknown = found.filter((c) => !KNOWN_CYCLES.some((k) => k.join() === c.join()));
    const gone = KNOWN_CYCLES.filter((k) => !found.some((c) => c.join() === k.join()));
    expect(unknown.map((c) => `${cyclePath(graph, c)} (all of: ${c.join(', ')})`), 'import cycles in lib/').to.deep.equal([]);
    expect(gone, 'KNOWN_CYCLES entries that are no longer cycles: remove them').to.deep.equal([]);
  });

  it('imports only from its own floor or the floors below it (run-time imports)', () => {
    const graph = importGraph(LIB, false);
    const unplaced = [...graph.keys()].filter((f) => floorOf(f) < 0);
    expect(unplaced, 'files on no floor: add their directory to FLOORS').to.deep.equal([]);
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        if (floorOf(to) > floorOf(from)) upward.push(`${from} (${FLOORS[floorOf(from)][0]}) -> ${to} (${FLOORS[floorOf(to)][0]})`);
      }
    }
    expect(upward, 'imports from a floor above').to.deep.equal([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const lengths = tsFiles(LIB).map((f) => [f, lineCount(readFileSync(join(LIB, f), 'utf8'))] as const);
    const long = lengths.filter(([, n]) => n > MAX_LINES);
    const unknown = long.filter(([f]) => !KNOWN_LONG_FILES.includes(f)).map(([f, n]) => `${f}: ${n} lines`);
    const gone = KNOWN_LONG_FILES.filter((f) => !long.some(([g]) => g === f));
    expect(unknown, `lib/ files over ${MAX_LINES} lines`).to.deep.equal([]);
    expect(gone, `KNOWN_LONG_FILES entries no longer over ${MAX_LINES} lines: remove them`).to.deep.equal([]);
  });

  it('finds the imports it is asked about: static, export-from, require, and type-only ones marked', () => {
    // The parser itself, on the files whose edges this suite depends on.
    const runtime = importGraph(LIB, false), all = importGraph(LIB, true);
    expect(runtime.get('index.ts')).to.include.members(['backends/select.ts', 'backends/wasm-node.ts', 'train/fit.ts', 'model/load.ts']); // require()
    expect(runtime.get('api.ts')).to.include('layers/conv2d.ts'); // export { ... } from
    expect(runtime.get('layers/model-base.ts')).not.to.include('train/fit.ts'); // import type
    expect(all.get('layers/model-base.ts')).to.include('train/fit.ts');
  });
});

/** lib/ files (relative) in require.cache after `script` runs in a new node on the sources. */
function loadedBy(script: string, env: Record<string, string> = {}): string[] {
  const program = `${script}; console.log(JSON.stringify(Object.keys(require.cache)))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`the child process failed:\n${r.stderr}`);
  const files = JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
  return files.filter((f) => f.startsWith(`${LIB}/`)).map((f) => f.slice(LIB.length + 1));
}

const FORWARD = `const ck = require('./lib/index.ts');
  new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same' }).forward(new ck.Tensor(new Float32Array(256), [1, 8, 8, 4]))`;
const LAZY = [/^backends\/wasm/, /^train\//, /^model\//];

describe('what require(\'convkit\') loads (child processes)', () => {
  it('on native, a forward loads neither the wasm backend, training nor the model format', () => {
    const files = loadedBy(FORWARD, { CONVKIT_BACKEND: 'native' });
    expect(files).to.include.members(['index.ts', 'backends/native.ts', 'layers/conv2d.ts', 'layers/sequential.ts']);
    expect(files.filter((f) => LAZY.some((p) => p.test(f)))).to.deep.equal([]);
  });

  it('each loads on first use: wasm when selected, training on compile, the model format on toArtifacts and loadModel', () => {
    expect(loadedBy(FORWARD, { CONVKIT_BACKEND: 'wasm' })).to.include('backends/wasm-node.ts');
    const model = `${FORWARD}; const m = new ck.Sequential([new ck.Dense({ units: 2 })])`;
    const compiled = loadedBy(`${model}; m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })`, { CONVKIT_BACKEND: 'native' });
    expect(compiled).to.include('train/fit.ts');
    expect(compiled.filter((f) => f.startsWith('model/') || f.startsWith('backends/wasm'))).to.deep.equal([]);
    const saved = loadedBy(`${model}; m.forward(new ck.Tensor(new Float32Array(3), [1, 3])); m.toArtifacts()`, { CONVKIT_BACKEND: 'native' });
    expect(saved).to.include.members(['model/save.ts', 'model/io-node.ts']);
    expect(saved.filter((f) => f.startsWith('train/'))).to.deep.equal([]);
    expect(loadedBy(`${model}; ck.loadModel({ modelTopology: {} }).catch(() => {})`, { CONVKIT_BACKEND: 'native' })).to.include('model/load.ts');
  });

  it('the built entry (dist/index.js) loads no Node built-in of the wasm backend or of model files on native', () => {
    const program = `const before = process.moduleLoadList.length; const ck = require('./dist/index.js');
      new ck.Conv2D({ filters: 4, kernelSize: 3 }).forward(new ck.Tensor(new Float32Array(256), [1, 8, 8, 4]));
      console.log(JSON.stringify([ck.getBackend(), process.moduleLoadList.slice(before)]))`;
    const r = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CONVKIT_BACKEND: 'native' } });
    const [name, builtins] = JSON.parse(r.stdout) as [string, string[]];
    expect(name).to.equal('native');
    expect(builtins.filter((m) => /\b(worker_threads|fs\/promises|url)$/.test(m))).to.deep.equal([]);
  });
});

describe('the built entries', () => {
  it('keep every exported class\'s own name (bundling may rename a class; messages show the name)', () => {
    // [export, the class's name, whether that name is exported as the same class (an alias such as AvgPool2D)]
    const program = `const ck = require('./dist/index.js');
      console.log(JSON.stringify(Object.entries(ck).filter(([k, v]) => typeof v === 'function' && /^[A-Z]/.test(k)).map(([k, v]) => [k, v.name, ck[v.name] === v])))`;
    const r = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8' });
    const names = JSON.parse(r.stdout) as [string, string, boolean][];
    expect(names.map(([k]) => k)).to.include.members(['Tensor', 'Conv2D', 'Sequential']);
    for (const [exported, own, ownExported] of names) {
      expect(ownExported, `${exported}'s own name ${own} is an export of the same class`).to.equal(true);
      if (own !== exported) expect(names.some(([k]) => k === own), exported).to.equal(true);
    }
    expect(readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8')).to.not.include('__name(');
  });
});
