// Dynamic batching: requests arriving together run as one forward of at most maxBatch samples,
// each getting the rows forwardAsync would give it; shapes that cannot share a batch do not;
// a bad request fails alone.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

/** The batch sizes the model ran, by wrapping its batched forward. */
function spy(model: ck.Sequential | ck.Model): number[] {
  const sizes: number[] = [];
  const run = model.forwardLinearAsync.bind(model);
  model.forwardLinearAsync = (xs, linear) => (sizes.push(xs[0].shape[0]), run(xs, linear));
  return sizes;
}

const near = (a: Float32Array, b: Float32Array) => a.forEach((v, i) => expect(Math.abs(v - b[i])).to.be.at.most(1e-5 * (1 + Math.abs(b[i]))));

forEachBackend('model.batcher', () => {
  it('joins requests that arrive together into batches of at most maxBatch, each answered with its rows', async () => {
    const model = new ck.Sequential([new ck.Conv2D({ filters: 4, kernelSize: 3, seed: 1 }), new ck.Flatten(), new ck.Dense({ units: 3, seed: 2 })]);
    const sizes = spy(model), batcher = model.batcher({ maxBatch: 4, maxDelayMs: 5 });
    const xs = Array.from({ length: 10 }, (_, i) => new ck.Tensor(randomArray(6 * 6 * 2, 10 + i), [1, 6, 6, 2]));
    const got = await Promise.all(xs.map((x) => batcher.predict(x) as Promise<ck.Tensor>));
    expect(sizes).to.deep.equal([4, 4, 2]);
    for (const [i, x] of xs.entries()) {
      expect(got[i].shape).to.deep.equal([1, 3]);
      near(got[i].data, (await model.forwardAsync(x)).data);
    }
  });

  it('keeps inputs of other sizes apart, runs at once with maxDelayMs 0, and rejects a bad request alone', async () => {
    const x = ck.input({ shape: [null, null, 2] });
    const model = ck.model({ inputs: x, outputs: [new ck.GlobalAveragePooling2D().apply(new ck.Conv2D({ filters: 3, kernelSize: 1, seed: 3 }).apply(x)), x] });
    const sizes = spy(model), batcher = model.batcher({ maxBatch: 8, maxDelayMs: 0 });
    const a = new ck.Tensor(randomArray(2 * 4 * 4 * 2, 20), [2, 4, 4, 2]), b = new ck.Tensor(randomArray(5 * 5 * 2, 21), [1, 5, 5, 2]);
    const bad = batcher.predict(new ck.Tensor(new Float32Array(4 * 4 * 3), [1, 4, 4, 3]));
    const [ya, yb] = (await Promise.all([batcher.predict(a), batcher.predict(b)])) as ck.Tensor[][];
    await bad.then(() => expect.fail('should reject'), (e) => expect(e).to.be.instanceOf(RangeError));
    expect(sizes.reduce((n, s) => n + s, 0)).to.equal(3);
    near(ya[0].data, ((await model.forwardAsync(a)) as ck.Tensor[])[0].data);
    expect(Array.from(yb[1].data)).to.deep.equal(Array.from(b.data));
  });

  it('refuses bad options, naming them', () => {
    const model = new ck.Sequential([new ck.Dense({ units: 2 })]);
    expect(() => model.batcher({ maxBatch: 0 })).to.throw(RangeError, /maxBatch/);
    expect(() => model.batcher({ maxDelay: 3 } as never)).to.throw(RangeError, /'maxDelay'/);
  });
});
