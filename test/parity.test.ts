// Native and wasm agree on the standard workload shapes (suite/workloads.json): normwise
// relative difference max|native - wasm| / max|native| <= 1e-5. They differ in rounding only
// (native fuses multiply-adds, base WASM SIMD cannot).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { convkitLayer, workloadData } from '../suite/data';
import { loadWorkloads } from '../suite/workloads';

describe('native and wasm parity on the benchmark suite', function () {
  const both = ck.backends().includes('native') && ck.backends().includes('wasm');
  if (!both) {
    it('needs both backends', function () {
      console.log(`      skipped: only ${ck.backends().join(', ')} loads here`);
      this.skip();
    });
    return;
  }
  let previous: ck.BackendName;
  before(() => (previous = ck.getBackend()));
  after(() => ck.setBackend(previous));

  for (const w of loadWorkloads()) {
    it(`${w.id} ${w.name}`, async () => {
      const d = workloadData(w);
      const x = new ck.Tensor(d.input, d.inputShape);
      const layer = convkitLayer(w, d);
      await ck.setBackend('native');
      const a = layer.forward(x);
      await ck.setBackend('wasm');
      const b = layer.forward(x);
      expect(b.shape).to.deep.equal(a.shape);
      let diff = 0, scale = 0;
      for (let i = 0; i < a.size; i++) {
        diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
        scale = Math.max(scale, Math.abs(a.data[i]));
      }
      expect(diff / scale, `max |native - wasm| = ${diff}, max |native| = ${scale}`).to.be.at.most(1e-5);
    });
  }
});
