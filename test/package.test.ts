// The package as a user gets it: `npm pack`, installed from the tarball into a folder outside
// the repository (its install script builds the addon there), then used through `require`,
// `import` and the shipped type declarations.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });

describe('the packed package, installed outside the repository', function () {
  this.timeout(15 * 60 * 1000);
  let dir: string;
  let app: string;
  let tarball: string;

  /** A new app folder with convkit installed from the tarball; returns npm's output. */
  function installApp(name: string, env: Record<string, string> = {}): string {
    const folder = join(dir, name);
    execFileSync('mkdir', [folder]);
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
    // --foreground-scripts: the install script's own line is part of the output.
    return npm(['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], folder, env);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convkit-pack-'));
    npm(['pack', '--silent', '--pack-destination', dir], ROOT);
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    app = join(dir, 'app');
    installApp('app');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const usage = `
    const x = new ck.Tensor(new Float32Array(2 * 8 * 8 * 3).fill(1), [2, 8, 8, 3]);
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernel: new Float32Array(3 * 3 * 3 * 4).fill(1) }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Dense({ units: 2, kernel: new Float32Array(4 * 4 * 4 * 2).fill(1) }),
    ]);
    const y = model.forward(x);
    model.forwardAsync(x).then((z) => console.log(ck.getBackend(), y.shape.join('x'), y.data[0], z.data[0]));`;

  it('works through require (CommonJS)', () => {
    const out = execFileSync(process.execPath, ['-e', `const ck = require('convkit');${usage}`], { cwd: app, encoding: 'utf8' });
    // Each pooled cell is a max of 3x3x3 ones (27); Dense sums 64 of them.
    expect(out.trim()).to.equal('native 2x2 1728 1728');
  });

  it('works through import (ES module)', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as ck from 'convkit';${usage}`], { cwd: app, encoding: 'utf8' });
    expect(out.trim()).to.equal('native 2x2 1728 1728');
  });

  it('ships type declarations that type-check a user program', () => {
    writeFileSync(join(app, 'main.ts'), `
      import { Conv2D, Tensor, backendInfo, type Conv2DOptions } from 'convkit';
      const options: Conv2DOptions = { filters: 2, kernelSize: [3, 3], padding: 'same' };
      const y: Tensor = new Conv2D(options).forward(new Tensor(new Float32Array(9), [1, 3, 3, 1]));
      const isa: string = backendInfo().isa;
      console.log(y.shape, isa);
    `);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] }, files: ['main.ts'],
    }));
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
  });

  it('installs without a C++ compiler, says why native is not used, and runs on wasm', function () {
    const out = installApp('app-nocompiler', { CXX: '/bin/false', CC: '/bin/false' });
    expect(out).to.match(/convkit: the native addon could not be built \(.*\); using the WebAssembly backend instead\./);
    const folder = join(dir, 'app-nocompiler');
    const result = execFileSync(process.execPath, ['-e', `const ck = require('convkit');${usage}`], { cwd: folder, encoding: 'utf8' });
    expect(result.trim()).to.equal('wasm 2x2 1728 1728');
  });
});
