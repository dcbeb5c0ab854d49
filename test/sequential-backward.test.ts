// Sequential.backward / backwardAsync: a forward keeping each layer's input, then each layer's
// backward in reverse. Checked bit for bit against the layers' own forward and backward chained
// by hand, and against central finite differences through a float64 oracle of the whole chain.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow } from '../lib/shape';
import { conv2dRef, denseRef, maxpool2dRef, type RefResult } from '../suite/reference';
import { expectRejectsLike, expectThrowsNamed } from './helpers/arbitraries';
import { forEachBackend } from './helpers/backends';
import { dot, expectNear, finiteDifferences, STEP } from './helpers/finite-differences';
import { randomArray } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

interface Net {
  model: ck.Sequential;
  x: ck.Tensor;
  dy: ck.Tensor;
  kernels: Float32Array[];
  biases: Float32Array[];
}

/** Conv2D(3x3, same, relu) -> MaxPool2D(2) -> Flatten -> Dense(units), on [n, h, w, c]. */
function net(n: number, h: number, w: number, c: number, filters: number, units: number, seed: number, useBias = true): Net {
  const convKernel = randomArray(3 * 3 * c * filters, seed), convBias = randomArray(filters, seed + 1);
  const k = Math.floor(h / 2) * Math.floor(w / 2) * filters;
  const denseKernel = randomArray(k * units, seed + 2), denseBias = randomArray(units, seed + 3);
  const model = new ck.Sequential([
    new ck.Conv2D({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernel: convKernel, useBias, ...(useBias ? { bias: convBias } : {}) }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Flatten(),
    new ck.Dense({ units, kernel: denseKernel, useBias, ...(useBias ? { bias: denseBias } : {}) }),
  ]);
  return {
    model, x: new ck.Tensor(randomArray(n * h * w * c, seed + 4), [n, h, w, c]), dy: new ck.Tensor(randomArray(n * units, seed + 5), [n, units]),
    kernels: [convKernel, denseKernel], biases: [convBias, denseBias],
  };
}

/** The layers' own forward and backward chained by hand. */
function byHand(model: ck.Sequential, x: ck.Tensor, dy: ck.Tensor): { dx: ck.Tensor; grads: ck.Gradients[] } {
  const inputs = [x];
  for (const l of model.layers) inputs.push(l.forward(inputs[inputs.length - 1]));
  const grads: ck.Gradients[] = [];
  let d = dy;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    grads[i] = model.layers[i].backward(inputs[i], d);
    d = grads[i].dx;
  }
  return { dx: d, grads };
}

function expectSame(got: ck.SequentialGradients, want: { dx: ck.Tensor; grads: ck.Gradients[] }): void {
  expect(got.dx.shape).to.deep.equal(want.dx.shape);
  expect(bits(got.dx.data), 'dx').to.deep.equal(bits(want.dx.data));
  expect(got.grads.length).to.equal(want.grads.length);
  want.grads.forEach((g, i) => {
    const { dx: _, ...weights } = g;
    expect(Object.keys(got.grads[i]).sort(), `grads[${i}] keys`).to.deep.equal(Object.keys(weights).sort());
    if (g.kernel) expect(bits(got.grads[i].kernel as Float32Array), `grads[${i}].kernel`).to.deep.equal(bits(g.kernel));
    if (g.bias) expect(bits(got.grads[i].bias as Float32Array), `grads[${i}].bias`).to.deep.equal(bits(g.bias));
  });
}

forEachBackend('Sequential.backward', () => {
  const cases: [string, () => Net][] = [
    ['Conv2D-MaxPool2D-Flatten-Dense, batch 3', () => net(3, 8, 6, 2, 4, 5, 10)],
    ['the same without biases, odd sizes (the pool drops a row and a column)', () => net(2, 7, 9, 3, 5, 3, 20, false)],
  ];
  for (const threads of [1, 2]) {
    for (const [name, make] of cases) {
      it(`${name}, ${threads} thread(s): backward and backwardAsync give the bits of the layers chained by hand`, async () => {
        const original = ck.getNumThreads();
        ck.setNumThreads(threads);
        try {
          const { model, x, dy } = make();
          const want = byHand(model, x, dy);
          const got = model.backward(x, dy);
          expectSame(got, want);
          expect(got.grads.map((g) => Object.keys(g).length)).to.deep.equal(want.grads.map((g) => Object.keys(g).length - 1));
          expectSame(await model.backwardAsync(x, dy), want);
        } finally {
          ck.setNumThreads(original);
        }
      });
    }
  }

  it('a single layer: the layer\'s own backward; Dense after Dense', () => {
    const dense = new ck.Dense({ units: 3, seed: 4 });
    const x = new ck.Tensor(randomArray(8, 1), [2, 4]), dy = new ck.Tensor(randomArray(6, 2), [2, 3]);
    expectSame(new ck.Sequential([dense]).backward(x, dy), byHand(new ck.Sequential([dense]), x, dy));
    const two = new ck.Sequential([new ck.Dense({ units: 6, activation: 'relu', seed: 5 }), new ck.Dense({ units: 3, seed: 6 })]);
    expectSame(two.backward(x, dy), byHand(two, x, dy));
  });

  it('backwardAsync reads x and dy as they were at the call', async () => {
    const { model, x, dy } = net(2, 6, 6, 2, 3, 4, 30);
    const want = model.backward(x, dy);
    const pending = model.backwardAsync(x, dy);
    x.data.fill(0.5);
    dy.data.fill(2);
    expectSame(await pending, { dx: want.dx, grads: want.grads.map((g) => ({ ...g, dx: want.dx })) });
  });
});

// Central finite differences of L = sum(dy * model(x)) through a float64 oracle of the chain
// (the float64 intermediates go straight into the next reference layer); checked away from the
// kinks: no ReLU input and no gap between a pool window's two largest values near the step.
/** Smallest gap between the two largest values of any 2x2 window of r (NHWC) whose max is > 0. */
function poolGap(r: RefResult): number {
  const [n, h, w, c] = r.shape;
  let gap = Infinity;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy + 1 < h; oy += 2)
      for (let ox = 0; ox + 1 < w; ox += 2)
        for (let ci = 0; ci < c; ci++) {
          const v = [0, 1, 2, 3].map((t) => r.data[((b * h + oy + (t >> 1)) * w + ox + (t & 1)) * c + ci]).sort((a, z) => z - a);
          if (v[0] > 0) gap = Math.min(gap, v[0] - v[1]);
        }
  return gap;
}

const f64 = (r: RefResult) => r.data as unknown as Float32Array; // the references only index their inputs

forEachBackend('Sequential.backward against central finite differences', () => {
  it('Conv2D(3x3, same, relu) -> MaxPool2D(2) -> Flatten -> Dense, batch 2', () => {
    const [n, h, w, c, filters, units] = [2, 6, 6, 2, 3, 4];
    const { model, x, dy, kernels: [ck1, dk], biases: [cb, db] } = net(n, h, w, c, filters, units, 40);
    const conv = resolveWindow([3, 3], [1, 1], [1, 1], 'same', h, w), pool = resolveWindow([2, 2], [2, 2], [1, 1], 'valid', h, w);
    const k = (h / 2) * (w / 2) * filters;
    const forward = () => {
      const a = conv2dRef(x.data, [n, h, w, c], ck1, filters, conv, cb, 'relu');
      const p = maxpool2dRef(f64(a), a.shape, pool);
      return denseRef(f64(p), n, k, dk, units, db, 'linear');
    };
    const pre = conv2dRef(x.data, [n, h, w, c], ck1, filters, conv, cb, 'linear');
    expect(Math.min(...Array.from(pre.data, Math.abs)), 'distance of the ReLU inputs from 0').to.be.above(4 * STEP);
    expect(poolGap(conv2dRef(x.data, [n, h, w, c], ck1, filters, conv, cb, 'relu')), 'gap between the two largest in a pool window').to.be.above(8 * STEP);
    const loss = () => dot(dy.data, forward().data);
    const g = model.backward(x, dy);
    expectNear(g.dx.data, finiteDifferences(x.data, loss), 'dx');
    expectNear(g.grads[0].kernel as Float32Array, finiteDifferences(ck1, loss), 'conv kernel');
    expectNear(g.grads[0].bias as Float32Array, finiteDifferences(cb, loss), 'conv bias');
    expectNear(g.grads[3].kernel as Float32Array, finiteDifferences(dk, loss), 'dense kernel');
    expectNear(g.grads[3].bias as Float32Array, finiteDifferences(db, loss), 'dense bias');
    expect(g.grads[1]).to.deep.equal({});
    expect(g.grads[2]).to.deep.equal({});
  });
});

describe('Sequential.backward input errors', () => {
  const model = () => net(2, 6, 6, 2, 3, 4, 50).model;
  const x = new ck.Tensor(randomArray(2 * 6 * 6 * 2, 1), [2, 6, 6, 2]);
  const dy = new ck.Tensor(randomArray(8, 2), [2, 4]);
  const cases: Array<[string, unknown, unknown, { name: string; type: typeof TypeError | typeof RangeError }]> = [
    ['x not a Tensor', x.data, dy, { name: 'Conv2D input', type: TypeError }],
    ['x of rank 3', x.reshape([2, 36, 2]), dy, { name: 'Conv2D input', type: RangeError }],
    ['x with other channels than the kernel', x.reshape([2, 6, 3, 4]), new ck.Tensor(new Float32Array(8), [2, 4]), { name: 'input', type: RangeError }],
    ['dy not a Tensor', x, dy.data, { name: 'dy', type: TypeError }],
    ['dy shaped like x', x, x, { name: 'dy', type: RangeError }],
    ['dy of the wrong width', x, new ck.Tensor(new Float32Array(10), [2, 5]), { name: 'dy', type: RangeError }],
    ['dy of another batch', x, new ck.Tensor(new Float32Array(4), [1, 4]), { name: 'dy', type: RangeError }],
  ];
  for (const [title, xv, dyv, bad] of cases) {
    it(`${title}: ${bad.type.name} naming ${bad.name}, and backwardAsync rejects alike`, async () => {
      const m = model();
      const e = expectThrowsNamed(() => m.backward(xv as ck.Tensor, dyv as ck.Tensor), bad);
      // Checked against the model's output shape before any layer runs.
      if (bad.name === 'dy' && bad.type === RangeError) expect(e.message).to.match(/the Sequential output for input \[2, 6, 6, 2\]/);
      await expectRejectsLike(() => m.backwardAsync(xv as ck.Tensor, dyv as ck.Tensor), e);
    });
  }
});
