// Native and wasm agree on the standard workload shapes (suite/workloads.json) and on each
// activation: normwise relative difference max|native - wasm| / max|native| <= 1e-5. They
// differ in rounding only (native fuses multiply-adds, base WASM SIMD cannot).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { convkitLayer, workloadData } from '../suite/data';
import { loadWorkloads } from '../suite/workloads';
import { randomArray } from './helpers/random';

/** layer's forward of x on native and on wasm, within 1e-5 of each other, normwise. */
async function expectParity(layer: ck.Layer, x: ck.Tensor): Promise<void> {
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
}

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

  // sigmoid, tanh and softmax: both compute each value in float64 and round once, so they differ
  // only by what their GEMMs' rounding feeds in.
  for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
    it(`Conv2D 2x16x16x8 -> 24 and Dense 64x200 -> 10, ${activation}`, async () => {
      const cases: [ck.Layer, ck.Tensor][] = [
        [new ck.Conv2D({ filters: 24, kernelSize: 3, padding: 'same', activation, seed: 1 }), new ck.Tensor(randomArray(2 * 16 * 16 * 8, 2), [2, 16, 16, 8])],
        [new ck.Dense({ units: 10, activation, seed: 3 }), new ck.Tensor(randomArray(64 * 200, 4), [64, 200])],
      ];
      for (const [layer, x] of cases) await expectParity(layer, x);
    });
  }

  for (const w of loadWorkloads()) {
    it(`${w.id} ${w.name}`, async () => {
      const d = workloadData(w);
      await expectParity(convkitLayer(w, d), new ck.Tensor(d.input, d.inputShape));
    });
  }
});
