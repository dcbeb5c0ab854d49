// Smoke test of `npm run bench` so the scripts cannot rot: one quick run of two small
// workloads, checked for shape and sanity only (no timing assertion: tests run on loaded machines).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { withChromium } from './helpers/browser';

describe('npm run bench (smoke)', () => {
  it('runs P1 and D1 in --quick mode and reports a row for each', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'bench.ts'), '--quick', '--only', 'P1,D1', '--threads', '1', '--json'], {
      cwd: join(__dirname, '..'), encoding: 'utf8',
    });
    const report = JSON.parse(out);
    const ids = report.rows.map((r: { workload: string }) => r.workload);
    expect(ids).to.include.members(['P1', 'D1']);
    for (const r of report.rows) {
      expect(r.runs).to.be.at.least(3);
      expect(r.medianMs).to.be.above(0);
      expect(r.minMs).to.be.at.most(r.medianMs);
      expect(r.rate).to.be.above(0);
      expect(r.unit).to.equal(r.workload === 'P1' ? 'GB/s' : 'GFLOP/s');
    }
  });
});

describe('npm run bench:peers (smoke, convkit only)', () => {
  it('runs candidates in child processes, verifies them, and writes the JSON, HTML and SVG report', () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-peers-'));
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'peers.ts'), '--quick', '--only', 'P1',
        '--candidates', 'convkit-native-1t,convkit-wasm-1t', '--no-event-loop', '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
      });
      const report = JSON.parse(stdout);
      expect(report.candidates.map((c: { id: string }) => c.id)).to.deep.equal(['convkit-native-1t', 'convkit-wasm-1t']);
      const [native, wasm] = report.candidates;
      expect(native.available).to.equal(ck.backends().includes('native'));
      if (!wasm.available) expect(wasm.reason).to.match(/wasm/);
      const rows = report.rows.filter((r: { candidate: string }) => r.candidate === 'convkit-native-1t');
      expect(rows).to.have.length(1);
      expect(rows[0].verified, 'P1 output agrees with the float64 reference').to.equal(true);
      expect(rows[0].runs).to.be.at.least(2);
      for (const f of ['latest.json', 'latest.html', 'latest.svg']) expect(existsSync(join(out, f)), f).to.equal(true);
      expect(readFileSync(join(out, 'latest.svg'), 'utf8')).to.match(/^<svg[^>]*>.*P1 seed pool/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('npm run bench:service (smoke, --quick)', () => {
  it('serves convkit and onnxruntime-node under autocannon, shuts both down cleanly, and writes the JSON and HTML report', () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-service-'));
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'service.ts'), '--quick', '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000,
      });
      const report = JSON.parse(stdout);
      expect(report.variants.map((v: { id: string }) => v.id)).to.deep.equal(['convkit-1t', 'ort-2t']);
      const [convkit, ort] = report.variants;
      expect(convkit.available, convkit.reason).to.equal(true);
      if (!ort.available) console.log(`      note: onnxruntime-node service unavailable: ${ort.reason}`);
      for (const v of report.variants.filter((x: { available: boolean }) => x.available)) {
        expect(v.shutdownExitCode, `${v.id} exit after SIGTERM`).to.equal(0);
        const row = report.rows.find((r: { variant: string }) => r.variant === v.id);
        expect(row.perSecond, v.id).to.be.above(0);
        expect(row.errors, v.id).to.equal(0);
        expect(row.p99Ms, v.id).to.be.at.least(row.p50Ms);
        expect(row.loopP99Ms, v.id).to.be.at.least(row.loopP50Ms);
      }
      for (const f of ['service.json', 'service.html']) expect(existsSync(join(out, f)), f).to.equal(true);
      expect(readFileSync(join(out, 'service.html'), 'utf8')).to.match(/<svg[^>]*>.*requests\/s/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('npm run bench:browser (smoke, --quick)', function () {
  if (!withChromium()) return;
  it('serves the page, runs candidates in Chromium from a child process, verifies every output, and writes the JSON and HTML report', () => {
    // The peers take part when bench/ has them installed (a fresh clone installs them on the first
    // bench:peers or bench:browser run, from the network); convkit always does.
    const peersInstalled = ['onnxruntime-web', '@tensorflow/tfjs-backend-wasm'].every((p) => existsSync(join(__dirname, '..', 'bench', 'node_modules', p, 'package.json')));
    if (!peersInstalled) console.log('      note: the peers are not installed in bench/node_modules, so only convkit runs');
    const ids = ['convkit-wasm-1t', 'convkit-wasm-2t', ...(peersInstalled ? ['tfjs-wasm-1t', 'ort-web-2t'] : [])];
    const out = mkdtempSync(join(tmpdir(), 'convkit-browser-'));
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'browser.ts'), '--quick', '--only', 'P1,C2',
        '--candidates', ids.join(','), '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 180_000,
      });
      const report = JSON.parse(stdout);
      expect(report.candidates.map((c: { id: string }) => c.id)).to.deep.equal(ids);
      for (const c of report.candidates) {
        expect(c.available, `${c.id}: ${c.reason}`).to.equal(true);
        if (c.id.startsWith('convkit')) expect(c.detail, c.id).to.match(new RegExp(`^wasm-relaxed-simd-threads, ${c.threads} threads?$`));
      }
      expect(report.rows).to.have.length(2 * ids.length);
      for (const r of report.rows) {
        expect(r.verified, `${r.workload} ${r.candidate} agrees with the float64 reference (error ${r.maxError})`).to.equal(true);
        expect(r.runs, `${r.workload} ${r.candidate}`).to.be.at.least(2);
        expect(r.rate, `${r.workload} ${r.candidate}`).to.be.above(0);
      }
      for (const f of ['browser.json', 'browser.html']) expect(existsSync(join(out, f)), f).to.equal(true);
      expect(readFileSync(join(out, 'browser.html'), 'utf8')).to.match(/<svg[^>]*>.*P1 seed pool/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('npm run bench:coldstart (smoke)', () => {
  it('times fresh processes on native and wasm and counts what they load', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'coldstart.ts'), '--runs', '1', '--warmups', '0'], {
      cwd: join(__dirname, '..'), encoding: 'utf8',
    });
    const rows = out.split('\n').filter((l) => /^(native|wasm) /.test(l)).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).to.deep.equal(['native', 'wasm']);
    for (const [, require, total, cpu, proc, files, calls] of rows) {
      expect(Number(require)).to.be.above(0);
      expect(Number(total)).to.be.at.least(Number(require));
      expect(Number(cpu)).to.be.above(0);
      expect(Number(proc)).to.be.at.least(Number(total));
      expect(Number(files)).to.be.at.least(1);
      expect(Number(calls)).to.be.at.least(Number(files));
    }
  });
});
