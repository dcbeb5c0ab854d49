// The determinism rule: threads split the output, never a reduction, so for a given backend,
// micro-kernel and build the result is the same bits whatever the thread count.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (t: ck.Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));

/** The output of `run` with 1, 2 and 3 threads, as bits. */
function perThreadCount(run: () => ck.Tensor): number[][] {
  const original = ck.getNumThreads();
  try {
    return [1, 2, 3].map((t) => {
      ck.setNumThreads(t);
      return bits(run());
    });
  } finally {
    ck.setNumThreads(original);
  }
}

forEachBackend('determinism across thread counts', () => {
  // Row counts around every micro-tile height (4, 6, 8) and K past the K block (256).
  // The last two split K into chunks on native (one row tile, few panels, K of 8192 or more).
  const dense: [number, number, number][] = [[7, 1000, 16], [13, 2000, 32], [9, 700, 16], [2, 3000, 64], [1, 5000, 48], [25, 300, 40], [8, 9000, 32], [3, 12289, 20]];
  for (const [m, k, n] of dense) {
    it(`Dense ${m}x${k} -> ${n}, every ISA`, () => {
      const layer = new ck.Dense({ units: n, kernel: randomArray(k * n, m + k) });
      const x = new ck.Tensor(randomArray(m * k, n), [m, k]);
      const { isa, isas } = backend().info();
      try {
        for (const each of isas) {
          expect(backend().selectIsa(each)).to.equal(true);
          const [one, ...others] = perThreadCount(() => layer.forward(x));
          others.forEach((o, i) => expect(o, `${each}: ${i + 2} threads differ from 1`).to.deep.equal(one));
        }
      } finally {
        backend().selectIsa(isa);
      }
    });
  }

  it('Conv2D with a long reduction (K = 3*3*96)', () => {
    const conv = new ck.Conv2D({ filters: 24, kernelSize: 3, padding: 'same', seed: 4 });
    const x = new ck.Tensor(randomArray(2 * 11 * 13 * 96, 5), [2, 11, 13, 96]);
    const [one, ...others] = perThreadCount(() => conv.forward(x));
    others.forEach((o) => expect(o).to.deep.equal(one));
  });
});
