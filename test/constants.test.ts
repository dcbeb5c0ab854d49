// Constants that live in more than one language must agree ("must match" comments).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { PANEL_WIDTH, packedWeightsLength } from '../lib/backends/backend';
import { backend } from '../lib/backends/select';
import { JOB_FIELDS, OP, TASK_BITS } from '../lib/backends/wasm-job';

const read = (p: string) => readFileSync(join(__dirname, '..', p), 'utf8');

describe('constants shared across languages', () => {
  it('activation codes: lib/activation.ts = native/kernels/activation.h', () => {
    const header = read('native/kernels/activation.h');
    const native: Record<string, number> = {};
    for (const m of header.matchAll(/kActivation(\w+) = (\d+)/g)) if (m[1] !== 'Count') native[m[1].toLowerCase()] = Number(m[2]);
    expect(native).to.deep.equal({ ...ck.Activation });
    expect(Number(/kActivationCount = (\d+)/.exec(header)![1])).to.equal(Object.keys(ck.Activation).length);
  });

  it('panel width: PANEL_WIDTH = kGemmNR in native/kernels/gemm.h', () => {
    expect(Number(/kGemmNR = (\d+)/.exec(read('native/kernels/gemm.h'))![1])).to.equal(PANEL_WIDTH);
  });

  it('packedWeightsLength matches what the backend packs', function () {
    for (const [k, n] of [[1, 1], [3, 16], [7, 17], [300, 33]]) {
      expect(backend().packWeights(new Float32Array(k * n), { k, n }).length).to.equal(packedWeightsLength(k, n));
    }
  });
});

describe('constants shared with the AssemblyScript kernels', () => {
  it('job layout: JOB_FIELDS = the fields of class Job in assembly/job.ts, in order', () => {
    const source = read('assembly/job.ts');
    const body = source.slice(source.indexOf('export class Job {'), source.indexOf('}', source.indexOf('export class Job {')));
    const fields = [...body.matchAll(/(\w+): [iu]32;/g)].map((m) => m[1]);
    expect(fields).to.deep.equal([...JOB_FIELDS]);
  });

  it('op codes, task bits, panel width and activation codes', () => {
    const job = read('assembly/job.ts'), index = read('assembly/index.ts');
    const ops: Record<string, number> = {};
    for (const m of job.matchAll(/OP_(\w+): i32 = (\d+)/g)) ops[m[1].toLowerCase()] = Number(m[2]);
    expect(ops).to.deep.equal({ ...OP });
    expect(Number(/TASK_BITS: i32 = (\d+)/.exec(index)![1])).to.equal(TASK_BITS);
    expect(Number(/NR: i32 = (\d+)/.exec(read('assembly/kernels/pack-weights.ts'))![1])).to.equal(PANEL_WIDTH);
    const act = read('assembly/kernels/activation.ts');
    const codes: Record<string, number> = {};
    for (const m of act.matchAll(/ACTIVATION_(\w+): i32 = (\d+)/g)) codes[m[1].toLowerCase()] = Number(m[2]);
    expect(codes).to.deep.equal({ ...ck.Activation });
  });

  it('lib/version.ts matches package.json', () => {
    expect(ck.version).to.equal(JSON.parse(read('package.json')).version);
  });
});
