// Smoke test of `npm run bench` so the scripts cannot rot: one quick run of two small
// workloads, checked for shape and sanity only (no timing assertion: tests run on loaded machines).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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
