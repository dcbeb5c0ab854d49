// The package as a user gets it: `npm pack` (whose prepack builds the prebuilt binaries),
// installed from the tarball into a folder outside the repository (its install script finds the
// prebuilt binary, or builds the addon where none fits), then used through `require`, `import`
// and the shipped type declarations.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });

describe('the packed package, installed outside the repository', function () {
  this.timeout(15 * 60 * 1000);
  let dir: string;
  let app: string;
  let tarball: string;
  let installOutput: string;

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
    installOutput = installApp('app');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const usage = `
    const x = new ck.Tensor(new Float32Array(2 * 8 * 8 * 3).fill(1), [2, 8, 8, 3]);
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernel: new Float32Array(3 * 3 * 3 * 4).fill(1) }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Flatten(),
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

  it('ships the prebuilt binaries for linux-x64 and linux-arm64 in a tarball under 2 MB', () => {
    expect(statSync(tarball).size).to.be.below(2 * 1024 * 1024);
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.node'));
    expect(listed.sort()).to.deep.equal(['package/prebuilds/linux-arm64/convkit.napi.glibc.node', 'package/prebuilds/linux-x64/convkit.napi.glibc.node']);
    // ELF64 little-endian shared objects, e_machine 62 (x86-64) and 183 (AArch64).
    for (const [arch, machine] of [['x64', 62], ['arm64', 183]] as const) {
      const head = readFileSync(join(app, 'node_modules', 'convkit', 'prebuilds', `linux-${arch}`, 'convkit.napi.glibc.node')).subarray(0, 20);
      expect([head.toString('latin1', 0, 4), head[4], head[5], head.readUInt16LE(16), head.readUInt16LE(18)], arch).to.deep.equal(['\x7fELF', 2, 1, 3, machine]);
    }
  });

  it('installs from the prebuilt binary, quietly and without compiling', () => {
    expect(existsSync(join(app, 'node_modules', 'convkit', 'build')), 'build/ in the installed package').to.equal(false);
    expect(installOutput).not.to.match(/gyp|convkit:|g\+\+/);
  });

  it('installs with --ignore-scripts and no compiler on PATH, and runs native with no note', () => {
    // A PATH holding node and npm only (npm's own script, as npm runs it).
    const npmCli = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')]
      .find((f) => f && f.endsWith('.js') && existsSync(f));
    expect(npmCli, "npm's npm-cli.js (from npm_execpath, or beside node)").to.be.a('string');
    const bin = join(dir, 'bin-node-only');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
    const env = { HOME: process.env.HOME ?? dir, PATH: bin, ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}) };
    const folder = join(dir, 'app-prebuilt-only');
    mkdirSync(folder);
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'app-prebuilt-only', version: '1.0.0', private: true }));
    execFileSync(join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: folder, env, encoding: 'utf8' });
    for (const tool of ['g++', 'gcc', 'cc', 'c++', 'make', 'python3']) {
      expect(spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env }).status, `${tool} on PATH`).to.not.equal(0);
    }
    const out = execFileSync(join(bin, 'node'), ['-e', `const ck = require('convkit'); ck.ready().then((b) => console.log(b, JSON.stringify(ck.backendInfo().notes)));`], { cwd: folder, env, encoding: 'utf8' });
    expect(out.trim()).to.equal('native []');
  });

  it('with no prebuilt binary for the platform (LIBC=musl) and no C++ compiler, says why native is not used and runs on wasm', function () {
    // node-gyp-build reads the C library from LIBC: the glibc-tagged binaries do not match musl.
    const out = installApp('app-nocompiler', { CXX: '/bin/false', CC: '/bin/false', LIBC: 'musl' });
    expect(out).to.match(/convkit: the native addon could not be built \(.*\); using the WebAssembly backend instead\./);
    const folder = join(dir, 'app-nocompiler');
    const result = execFileSync(process.execPath, ['-e', `const ck = require('convkit');${usage}`], { cwd: folder, encoding: 'utf8', env: { ...process.env, LIBC: 'musl' } });
    expect(result.trim()).to.equal('wasm 2x2 1728 1728');
  });
});
