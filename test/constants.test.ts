// Constants that live in more than one language must agree ("must match" comments).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { PANEL_WIDTH, packedWeightsLength } from '../lib/backends/backend';
import { backend } from '../lib/backends/select';

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
