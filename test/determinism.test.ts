// The determinism rule: threads split the output, never a reduction, so for a given backend,
// micro-kernel and build the result is the same bits whatever the thread count.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (t: ck.Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));

/** The output of `run` with each thread count (1, 2 and 3 unless given), as bits. */
function perThreadCount(run: () => ck.Tensor, counts = [1, 2, 3]): number[][] {
  const original = ck.getNumThreads();
  try {
    return counts.map((t) => {
      ck.setNumThreads(t);
      return bits(run());
    });
  } finally {
    ck.setNumThreads(original);
  }
}

/** Runs check once per micro-kernel the backend has, restoring the active one after. */
function everyIsa(check: (isa: string) => void): void {
  const { isa, isas } = backend().info();
  try {
    for (const each of isas) {
      expect(backend().selectIsa(each)).to.equal(true);
      check(each);
    }
  } finally {
    backend().selectIsa(isa);
  }
}

function sameBitsForEveryThreadCount(run: () => ck.Tensor): void {
  everyIsa((isa) => {
    const [one, ...others] = perThreadCount(run);
    others.forEach((o, i) => expect(o, `${isa}: ${i + 2} threads differ from 1`).to.deep.equal(one));
  });
}

forEachBackend('determinism across thread counts', () => {
  // Row counts around every micro-tile height (4, 6, 8) and K past the K block (256).
  // The last two split K into chunks (few micro-tiles, K of 8192 or more).
  // One row over 13 and 21 panels: threads split the panels so that a panel falls to the one-row
  // kernel of one, two or four panels depending on the split (their sums agree on every ISA).
  const dense: [number, number, number][] = [[7, 1000, 16], [13, 2000, 32], [9, 700, 16], [2, 3000, 64], [1, 5000, 48], [25, 300, 40], [8, 9000, 32], [3, 12289, 20],
    [1, 3000, 208], [1, 1001, 333]];
  for (const [m, k, n] of dense) {
    it(`Dense ${m}x${k} -> ${n}, every ISA`, () => {
      const layer = new ck.Dense({ units: n, kernel: randomArray(k * n, m + k) });
      const x = new ck.Tensor(randomArray(m * k, n), [m, k]);
      sameBitsForEveryThreadCount(() => layer.forward(x));
    });
  }

  // A split K: chunks fixed by the shape, their partials summed in chunk order by whichever
  // task finishes last, so 1 to 4 threads, forward, forwardAsync and a chain all give the bits of
  // one thread. D1 itself; K past a multiple of the chunk with N in part of a panel; 7 panels.
  const splits: [number, number, number][] = [[8, 24576, 32], [5, 8193, 20], [1, 12000, 100]];
  for (const [m, k, n] of splits) {
    it(`Dense ${m}x${k} -> ${n} (K split into chunks), every ISA, 1 to 4 threads, sync, async and chained`, async () => {
      const layer = new ck.Dense({ units: n, activation: 'relu', kernel: randomArray(k * n, m + k), bias: randomArray(n, k) });
      const model = new ck.Sequential([layer]);
      const x = new ck.Tensor(randomArray(m * k, n), [m, k]);
      const { isa: active, isas } = backend().info();
      const original = ck.getNumThreads();
      try {
        for (const isa of isas) {
          expect(backend().selectIsa(isa)).to.equal(true);
          const [one, ...others] = perThreadCount(() => layer.forward(x), [1, 2, 3, 4]);
          others.forEach((o, i) => expect(o, `${isa}: ${i + 2} threads differ from 1`).to.deep.equal(one));
          for (const threads of [1, 2, 4]) {
            ck.setNumThreads(threads);
            expect(bits(await layer.forwardAsync(x)), `${isa}: forwardAsync, ${threads} threads`).to.deep.equal(one);
            expect(bits(model.forward(x)), `${isa}: Sequential.forward, ${threads} threads`).to.deep.equal(one);
            expect(bits(await model.forwardAsync(x)), `${isa}: Sequential.forwardAsync, ${threads} threads`).to.deep.equal(one);
          }
        }
      } finally {
        ck.setNumThreads(original);
        backend().selectIsa(active);
      }
    });
  }

  // Native plans: rows split in runs (many rows), panels split in pairs (fewer rows than
  // filters), few channels (im2col segments on wasm); K = 3*3*96 passes the K block.
  const convs: { name: string; shape: [number, number, number, number]; filters: number }[] = [
    { name: 'a long reduction (K = 3*3*96)', shape: [2, 11, 13, 96], filters: 24 },
    { name: 'many rows (runs of rows)', shape: [2, 20, 23, 16], filters: 40 },
    { name: 'fewer rows than filters (groups of panels)', shape: [1, 6, 7, 32], filters: 112 },
    { name: 'few channels', shape: [3, 17, 19, 5], filters: 33 },
  ];
  for (const { name, shape, filters } of convs) {
    it(`Conv2D with ${name}, every ISA`, () => {
      const conv = new ck.Conv2D({ filters, kernelSize: 3, padding: 'same', activation: 'relu', seed: filters });
      const x = new ck.Tensor(randomArray(shape.reduce((a, b) => a * b), shape[3]), shape);
      sameBitsForEveryThreadCount(() => conv.forward(x));
    });
  }

  // sigmoid, tanh and softmax run after the GEMM in tasks of rows; these outputs are large
  // enough (over 65536 floats) for both backends to share that pass across threads.
  for (const activation of ['sigmoid', 'tanh', 'softmax'] as const) {
    it(`Dense 300x70 -> 256 and Conv2D 2x32x32x8 -> 48 with ${activation}, every ISA, sync and async`, async () => {
      const dense = new ck.Dense({ units: 256, activation, kernel: randomArray(70 * 256, 5) });
      const x = new ck.Tensor(randomArray(300 * 70, 6), [300, 70]);
      sameBitsForEveryThreadCount(() => dense.forward(x));
      const conv = new ck.Conv2D({ filters: 48, kernelSize: 3, padding: 'same', activation, seed: 7 });
      const image = new ck.Tensor(randomArray(2 * 32 * 32 * 8, 8), [2, 32, 32, 8]);
      sameBitsForEveryThreadCount(() => conv.forward(image));
      const original = ck.getNumThreads();
      try {
        ck.setNumThreads(1);
        const one = bits(conv.forward(image));
        ck.setNumThreads(2);
        expect(bits(await conv.forwardAsync(image)), '2 threads, forwardAsync').to.deep.equal(one);
      } finally {
        ck.setNumThreads(original);
      }
    });
  }

  // Backward: dW's sum over every output pixel (K of its GEMM, split into chunks by the shape
  // from 8192 rows), db's column sums, col2im's and the max-pool scatter's additions into cells
  // that several windows share: 1, 2 and 3 threads, sync and async, give the same bits.
  const arrayBits = (a: Float32Array | undefined) => (a ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : []);
  const gradBits = (g: ck.Gradients) => [...bits(g.dx), ...arrayBits(g.kernel), ...arrayBits(g.bias)];
  const backwards: { name: string; layer: () => ck.Layer; shape: number[] }[] = [
    { name: 'Conv2D 5x5 same relu, LeNet\'s first (8x28x28x1 -> 6)', layer: () => new ck.Conv2D({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', seed: 3 }), shape: [8, 28, 28, 1] },
    { name: 'Conv2D 3x3 stride 2 dilated sigmoid (3x19x17x8 -> 20)', layer: () => new ck.Conv2D({ filters: 20, kernelSize: 3, strides: 2, dilationRate: [2, 1], padding: 'same', activation: 'sigmoid', seed: 4 }), shape: [3, 19, 17, 8] },
    { name: 'Dense 9000x12 -> 10 softmax (dW over 9000 rows)', layer: () => new ck.Dense({ units: 10, activation: 'softmax', seed: 5 }), shape: [9000, 12] },
    { name: 'Dense 64x400 -> 120 relu', layer: () => new ck.Dense({ units: 120, activation: 'relu', seed: 6 }), shape: [64, 400] },
    { name: 'MaxPool2D 3x3 stride 1 (overlapping windows, 4x20x20x6)', layer: () => new ck.MaxPool2D({ poolSize: 3, strides: 1, padding: 'same' }), shape: [4, 20, 20, 6] },
  ];
  for (const { name, layer, shape } of backwards) {
    it(`backward of ${name}, every ISA, sync and async`, async () => {
      const l = layer();
      // Rounded values make ties in the max-pool windows (the first maximal tap must win).
      const x = new ck.Tensor(randomArray(shape.reduce((a, b) => a * b), shape[1]).map((v) => Math.round(v * 4) / 4), shape);
      const outShape = l.outputShape(shape);
      const dy = new ck.Tensor(randomArray(outShape.reduce((a, b) => a * b), shape[2]), outShape);
      const original = ck.getNumThreads();
      try {
        everyIsa((isa) => {
          const runs = [1, 2, 3].map((t) => (ck.setNumThreads(t), gradBits(l.backward(x, dy))));
          runs.slice(1).forEach((r, i) => expect(r, `${isa}: ${i + 2} threads differ from 1`).to.deep.equal(runs[0]));
        });
        ck.setNumThreads(1);
        const one = gradBits(l.backward(x, dy));
        ck.setNumThreads(2);
        expect(gradBits(await l.backwardAsync(x, dy)), '2 threads, backwardAsync').to.deep.equal(one);
      } finally {
        ck.setNumThreads(original);
      }
    });
  }

  it('LeNet training (T1\'s model, four steps of 8 images) leaves the same weights with 1 and 2 threads', async () => {
    const { convkitLeNet } = require('../examples/mnist/lenet.js');
    const x = new ck.Tensor(randomArray(16 * 28 * 28, 11), [16, 28, 28, 1]);
    const y = new ck.Tensor(new Float32Array(16 * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)), [16, 10]);
    const original = ck.getNumThreads();
    const weights = [];
    try {
      for (const threads of [1, 2]) {
        ck.setNumThreads(threads);
        const model: ck.Sequential = convkitLeNet(ck, 1);
        model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
        await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
        weights.push(model.layers.flatMap((l) => {
          const w = l.getWeights();
          return [...arrayBits(w.kernel ?? undefined), ...arrayBits(w.bias ?? undefined)];
        }));
      }
    } finally {
      ck.setNumThreads(original);
    }
    expect(weights[1]).to.deep.equal(weights[0]);
  });
});
