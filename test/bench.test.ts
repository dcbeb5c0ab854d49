// Smoke test of `npm run bench` so the scripts cannot rot: one quick run of two small
// workloads, checked for shape and sanity only (no timing assertion: tests run on loaded machines).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { withChromium } from './helpers/browser';
import { commandLine, commitOf, markdownTable, writeResult } from '../bench/result-file';
import { renderMarkdown, summaryTable } from '../bench/peers/report';

/** Progress written to a pipe: plain lines, no carriage return or cursor escape. */
function expectPlainProgress(stderr: string): string[] {
  expect(stderr).not.to.include('\r');
  expect(stderr).not.to.include('\x1b[');
  return stderr.split('\n').filter((l) => /^\[\s*\d+\/\d+\] /.test(l));
}

/** The header every bench/results file starts with. */
function expectResultHeader(md: string, command: RegExp): void {
  expect(md).to.match(/^# convkit/);
  expect(md).to.match(/\n- date: \d{4}-\d\d-\d\d \d\d:\d\d UTC\n/);
  expect(md).to.match(/\n- commit: ([0-9a-f]{7,}|unknown)/);
  expect(md).to.match(/\n- CPU: .+, \d+ logical cores\n/);
  expect(md).to.match(command);
}

describe('bench/results writer', () => {
  it('writes markdown tables, escaping pipes and aligning numeric columns right', () => {
    expect(markdownTable(['id', 'a|b', 'ms'], [['C1', 'x|y', '1.5']], 'llr')).to.equal('| id | a\\|b | ms |\n| --- | --- | ---: |\n| C1 | x\\|y | 1.5 |');
  });
  it('heads a file with the date, the commit, the CPU and the command, then the body', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-result-'));
    try {
      const path = writeResult({ name: 'x', title: 'convkit test', command: commandLine('bench:x', ['--quick']), body: 'table', outDir: dir, date: new Date('2026-12-07T18:30:00Z') });
      expect(path).to.equal(join(dir, 'x.md'));
      const md = readFileSync(path, 'utf8');
      expectResultHeader(md, /\n- command: `npm run bench:x -- --quick`\n\ntable\n$/);
      expect(md).to.include('- date: 2026-12-07 18:30 UTC');
      // This checkout is a git work tree: the commit is HEAD's.
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
      expect(commitOf()).to.match(new RegExp(`^${head}( \\(with uncommitted changes\\))?$`));
      expect(commitOf(tmpdir())).to.equal(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench:peers summary', () => {
  it('gives, per convkit candidate and peer of its kind at its thread count, the range of ratios per group and the rows ahead', () => {
    const candidate = (id: string, library: string, threads: number) => ({ id, label: id, library, layout: 'NHWC' as const, threads, available: true });
    const row = (workload: string, c: string, rate: number) => ({ workload, name: workload, candidate: c, unit: 'GFLOP/s', runs: 5, medianMs: 1, minMs: 1, rate, ratioToBestPeer: NaN, verified: true });
    const report = {
      date: '2026-12-07T18:00:00Z', cpu: 'x', command: 'npm run bench:peers', quick: true, rounds: 2, budgetMs: 150, maxRelativeError: 1e-4,
      eventLoop: [], coldStart: [], seconds: 1,
      candidates: [candidate('convkit-native-1t', 'convkit', 1), candidate('convkit-wasm-1t', 'convkit', 1), candidate('ort-node-1t', 'onnxruntime-node', 1),
        candidate('ort-node-2t', 'onnxruntime-node', 2), candidate('tfjs-wasm', '@tensorflow/tfjs-backend-wasm', 1), candidate('tfjs-cpu', '@tensorflow/tfjs-backend-cpu', 1)],
      rows: [row('C1', 'convkit-native-1t', 30), row('C1', 'ort-node-1t', 10), row('C2', 'convkit-native-1t', 5), row('C2', 'ort-node-1t', 10),
        row('P1', 'convkit-native-1t', 4), row('P1', 'ort-node-1t', 2), { ...row('P1', 'convkit-wasm-1t', 8), verified: false }, row('P1', 'tfjs-wasm', 2),
        row('C1', 'convkit-wasm-1t', 12), row('C1', 'tfjs-wasm', 10), row('C1', 'tfjs-cpu', 1)],
    };
    const t = summaryTable(report)!;
    // The optional groups (average and global pool, depthwise, transposed conv, upsampling, merges) have no rows here.
    expect(t.header).to.deep.equal(['convkit', 'against', 'threads', 'convolutions', 'max-pool', 'dense']);
    // Native against ONNX Runtime with 1 thread only; wasm against the wasm peer, not tfjs-cpu; the unverified row left out.
    expect(t.body).to.deep.equal([
      ['convkit-native-1t', 'ort-node-1t', '1', '0.50-3.00x (1/2 ahead)', '2.00-2.00x (1/1 ahead)', '-'],
      ['convkit-wasm-1t', 'tfjs-wasm', '1', '1.20-1.20x (1/1 ahead)', '-', '-'],
    ]);
    expect(renderMarkdown(report)).to.include('| convkit-native-1t | ort-node-1t | 1 | 0.50-3.00x (1/2 ahead) |');
  });
});

describe('npm run bench (smoke)', () => {
  it('runs P1 and D1 in --quick mode, reports a row for each, logs one plain line per step to a pipe and writes bench.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-bench-'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'bench.ts'), '--quick', '--only', 'P1,D1', '--threads', '1', '--json', '--out', dir], {
      cwd: join(__dirname, '..'), encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout);
    // A first line, then one per workload, backend and thread count (T1 is not in --only).
    const steps = expectPlainProgress(run.stderr);
    expect(steps).to.have.length(1 + 2 * ck.backends().length);
    expect(steps.join('\n')).to.match(/\] P1 seed pool: (native|wasm), 1 thread$/m);
    const md = readFileSync(join(dir, 'bench.md'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    expectResultHeader(md, /\n- command: `npm run bench -- --quick --only P1,D1 --threads 1 --json --out .+`\n/);
    expect(md).to.match(/\n\| id \| workload \| backend \|.*\n\| --- \| --- \| --- \|/);
    expect(md.split('\n').filter((l) => /^\| (P1|D1) \|/.test(l))).to.have.length(2 * ck.backends().length);
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
      const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'peers.ts'), '--quick', '--only', 'P1',
        '--candidates', 'convkit-native-1t,convkit-wasm-1t', '--no-event-loop', '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(run.status, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      // Per workload: the reference, then each candidate's warm-up and rounds, a line each.
      const live = report.candidates.filter((c: { available: boolean }) => c.available).length;
      expect(expectPlainProgress(run.stderr)).to.have.length(1 + 1 + live * (1 + report.rounds));
      expect(report.candidates.map((c: { id: string }) => c.id)).to.deep.equal(['convkit-native-1t', 'convkit-wasm-1t']);
      const [native, wasm] = report.candidates;
      expect(native.available).to.equal(ck.backends().includes('native'));
      if (!wasm.available) expect(wasm.reason).to.match(/wasm/);
      const rows = report.rows.filter((r: { candidate: string }) => r.candidate === 'convkit-native-1t');
      expect(rows).to.have.length(1);
      expect(rows[0].verified, 'P1 output agrees with the float64 reference').to.equal(true);
      expect(rows[0].runs).to.be.at.least(2);
      for (const f of ['latest.json', 'latest.html', 'latest.svg']) expect(existsSync(join(out, f)), f).to.equal(true);
      const md = readFileSync(join(out, 'peers.md'), 'utf8');
      expectResultHeader(md, /\n- command: `npm run bench:peers -- --quick --only P1 .*`\n/);
      expect(md).to.match(/\n\| id \| workload \| convkit native 1t \|.*\n\| --- \| --- \| ---: \|/);
      expect(md).to.match(/\n\| P1 \| seed pool \| [\d.]+ \|/);
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
      const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'service.ts'), '--quick', '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
      });
      expect(run.status, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      // A warm-up and each round per service, then the shutdown, a line each.
      const live = report.variants.filter((v: { available: boolean }) => v.available).length;
      expect(expectPlainProgress(run.stderr)).to.have.length(1 + live * (1 + report.rounds) + 1);
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
      const md = readFileSync(join(out, 'service.md'), 'utf8');
      expectResultHeader(md, /\n- command: `npm run bench:service -- --quick --out .+ --json`\n/);
      expect(md).to.match(/\n\| service \| requests\/s \|.*\n\| --- \| ---: \|/);
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
      const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'browser.ts'), '--quick', '--only', 'P1,C2',
        '--candidates', ids.join(','), '--out', out, '--json'], {
        cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000,
      });
      expect(run.status, run.stderr).to.equal(0);
      const report = JSON.parse(run.stdout);
      // Starting Chromium and each page, then per workload each candidate's warm-up and rounds.
      expect(expectPlainProgress(run.stderr)).to.have.length(1 + ids.length + 2 * ids.length * (1 + report.rounds));
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
      expectResultHeader(readFileSync(join(out, 'browser.md'), 'utf8'), /\n- command: `npm run bench:browser -- --quick --only P1,C2 .*`\n/);
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
