// Flatten: Keras semantics ([N, ...] -> [N, product of the rest], the floats in order), no
// weights, dx = dy reshaped; exported from every entry; in Sequential see sequential.test.ts.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { expectRejectsLike, expectThrowsNamed } from './helpers/arbitraries';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const SHAPES: [number[], number[]][] = [
  [[2, 3, 4, 5], [2, 60]],
  [[3, 7], [3, 7]],
  [[4], [4, 1]],
  [[1, 1, 1, 1, 1, 6], [1, 6]],
];

forEachBackend('Flatten', () => {
  for (const [shape, out] of SHAPES) {
    it(`[${shape.join(', ')}] -> [${out.join(', ')}]: forward and forwardAsync copy x in order`, async () => {
      const f = new ck.Flatten();
      const data = randomArray(shape.reduce((a, b) => a * b), shape.length);
      data[0] = NaN; // a NaN passes through untouched
      const x = new ck.Tensor(data, shape);
      expect(f.outputShape(shape)).to.deep.equal(out);
      const y = f.forward(x);
      expect(y.shape).to.deep.equal(out);
      expect(bits(y.data)).to.deep.equal(bits(data));
      expect(y.data.buffer, 'a new array').to.not.equal(data.buffer);
      const pending = f.forwardAsync(x);
      const want = data.slice();
      data.fill(7); // forwardAsync reads x as it was at the call
      const z = await pending;
      expect(z.shape).to.deep.equal(out);
      expect(bits(z.data)).to.deep.equal(bits(want));
    });
    it(`[${shape.join(', ')}]: backward and backwardAsync give dy with x's shape and no weight gradients`, async () => {
      const f = new ck.Flatten();
      const x = new ck.Tensor(randomArray(out[0] * out[1], 3), shape), dyData = randomArray(out[0] * out[1], 4);
      const dy = new ck.Tensor(dyData, out);
      const g = f.backward(x, dy);
      expect(g).to.have.all.keys('dx');
      expect(g.dx.shape).to.deep.equal(shape);
      expect(bits(g.dx.data)).to.deep.equal(bits(dyData));
      expect(g.dx.data.buffer, 'a new array').to.not.equal(dyData.buffer);
      const pending = f.backwardAsync(x, dy);
      const want = dyData.slice();
      dyData.fill(3);
      const a = await pending;
      expect(a).to.have.all.keys('dx');
      expect(a.dx.shape).to.deep.equal(shape);
      expect(bits(a.dx.data)).to.deep.equal(bits(want));
    });
  }

  it('Conv2D -> Flatten -> Dense gives the bits of Conv2D -> Dense (Dense flattens the same way)', () => {
    const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', seed: 1 });
    const dense = new ck.Dense({ units: 5, seed: 2 });
    const x = new ck.Tensor(randomArray(2 * 6 * 5 * 3, 5), [2, 6, 5, 3]);
    const direct = dense.forward(conv.forward(x));
    const viaFlatten = new ck.Sequential([conv, new ck.Flatten(), dense]);
    expect(bits(viaFlatten.forward(x).data)).to.deep.equal(bits(direct.data));
    expect(viaFlatten.outputShape([2, 6, 5, 3])).to.deep.equal([2, 5]);
  });
});

describe('Flatten: weights, options and errors', () => {
  it('has no weights, as MaxPool2D', () => {
    const f = new ck.Flatten();
    expect(f.getWeights()).to.deep.equal({ kernel: null, bias: null });
    f.setWeights({});
    f.setWeights({ kernel: null, bias: null });
    expect(() => f.setWeights({ kernel: new Float32Array(1) })).to.throw(TypeError, /no kernel or bias for Flatten/);
    expect(() => f.setWeights({ bias: new Float32Array(1) })).to.throw(TypeError, /no kernel or bias for Flatten/);
    expectThrowsNamed(() => f.setWeights(null as unknown as ck.Weights), { name: 'weights', type: TypeError });
    expect(f).to.be.instanceOf(ck.Layer);
  });

  it('takes an options object or nothing', () => {
    new ck.Flatten({});
    expectThrowsNamed(() => new ck.Flatten(3 as unknown as Record<string, never>), { name: 'Flatten options', type: TypeError });
    expectThrowsNamed(() => new ck.Flatten([] as unknown as Record<string, never>), { name: 'Flatten options', type: TypeError });
  });

  const x = new ck.Tensor(randomArray(24, 1), [2, 3, 4]);
  const cases: Array<[string, unknown, unknown, { name: string; type: typeof TypeError | typeof RangeError }]> = [
    ['x not a Tensor', [1, 2], new ck.Tensor(new Float32Array(2), [2, 1]), { name: 'Flatten input', type: TypeError }],
    ['x of rank 0', new ck.Tensor(new Float32Array(1), []), new ck.Tensor(new Float32Array(1), [1, 1]), { name: 'Flatten input', type: RangeError }],
    ['dy not a Tensor', x, new Float32Array(24), { name: 'dy', type: TypeError }],
    ['dy shaped like x', x, x, { name: 'dy', type: RangeError }],
    ['dy of the wrong size', x, new ck.Tensor(new Float32Array(20), [2, 10]), { name: 'dy', type: RangeError }],
  ];
  for (const [title, xv, dyv, bad] of cases) {
    it(`${title}: ${bad.type.name} naming ${bad.name} from backward, backwardAsync rejects alike`, async () => {
      const f = new ck.Flatten();
      const e = expectThrowsNamed(() => f.backward(xv as ck.Tensor, dyv as ck.Tensor), bad);
      await expectRejectsLike(() => f.backwardAsync(xv as ck.Tensor, dyv as ck.Tensor), e);
      if (bad.name !== 'dy') {
        const fe = expectThrowsNamed(() => f.forward(xv as ck.Tensor), bad);
        await expectRejectsLike(() => f.forwardAsync(xv as ck.Tensor), fe);
      }
    });
  }

  it('outputShape validates the shape; a layer that needs rank 4 after it says so', () => {
    const f = new ck.Flatten();
    expectThrowsNamed(() => f.outputShape([]), { name: 'Flatten input', type: RangeError });
    expectThrowsNamed(() => f.outputShape([2, 0]), { name: 'inputShape[1]', type: RangeError });
    const model = new ck.Sequential([new ck.Flatten(), new ck.Conv2D({ filters: 2, kernelSize: 1 })]);
    expect(() => model.forward(new ck.Tensor(new Float32Array(8), [2, 2, 2]))).to.throw(RangeError, /Conv2D input of rank 4/);
  });

  it('is exported from the ES module entry (the built package)', () => {
    const code = "import * as ck from './esm/index.mjs'; console.log(typeof ck.Flatten, ck.Flatten === ck.default.Flatten, new ck.Flatten().outputShape([2, 3, 4]).join('x'));";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    expect(out.trim()).to.equal('function true 2x12');
  });
});
