// ZeroPadding2D and Cropping2D (one copy op on both backends) against a float64 loop, their
// gradients (each is the other's), TensorFlow.js, and the Keras format.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { backend } from '../lib/backends/select';
import { expectExact } from './helpers/assert';
import { forEachBackend, forEachThreadCount } from './helpers/backends';
import { randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

type Sides = [number, number, number, number];

/** x cropped by crop then zero-padded by pad ([top, bottom, left, right]), straight from the definition. */
function padRef(x: Float32Array, [n, h, w, c]: number[], pad: Sides, crop: Sides): { data: Float32Array; shape: number[] } {
  const oh = h - crop[0] - crop[1] + pad[0] + pad[1], ow = w - crop[2] - crop[3] + pad[2] + pad[3];
  const data = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const iy = oy - pad[0] + crop[0], ix = ox - pad[2] + crop[2];
        const inside = oy >= pad[0] && oy < oh - pad[1] && ox >= pad[2] && ox < ow - pad[3];
        for (let ci = 0; ci < c; ci++) data[((b * oh + oy) * ow + ox) * c + ci] = inside ? x[((b * h + iy) * w + ix) * c + ci] : 0;
      }
  return { data, shape: [n, oh, ow, c] };
}

function cases(count: number, seed: number): { shape: number[]; sides: Sides; crop: boolean }[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const shape = [randomInt(r, 1, 3), randomInt(r, 3, 12), randomInt(r, 3, 12), randomInt(r, 1, 37)];
    const crop = i % 2 === 1;
    const side = (size: number) => (crop ? randomInt(r, 0, Math.floor((size - 1) / 2)) : randomInt(r, 0, 4));
    return { shape, sides: [side(shape[1]), side(shape[1]), side(shape[2]), side(shape[2])] as Sides, crop };
  });
}

const NONE: Sides = [0, 0, 0, 0];

forEachBackend('ZeroPadding2D and Cropping2D', () => {
  cases(30, 99).forEach(({ shape, sides, crop }, i) => {
    it(`${crop ? 'Cropping2D' : 'ZeroPadding2D'} [${shape.join(', ')}] by [${sides.join(', ')}]`, async () => {
      const [t, b, l, r] = sides;
      const layer = crop ? new ck.Cropping2D({ cropping: [[t, b], [l, r]] }) : new ck.ZeroPadding2D({ padding: [[t, b], [l, r]] });
      const x = new ck.Tensor(randomArray(shape.reduce((a, v) => a * v), 500 + i), shape);
      const expected = padRef(x.data, shape, crop ? NONE : sides, crop ? sides : NONE);
      expect(layer.outputShape(shape)).to.deep.equal(expected.shape);
      forEachThreadCount((threads) => expectExact(layer.forward(x).data, expected.data, `${threads} threads`));
      expectExact((await layer.forwardAsync(x)).data, expected.data, 'forwardAsync');
      // The gradient of a copy: dy cropped where it padded, zero-padded where it cropped.
      const dy = new ck.Tensor(randomArray(expected.data.length, 600 + i), expected.shape);
      const dx = padRef(dy.data, expected.shape, crop ? sides : NONE, crop ? NONE : sides);
      expectExact(layer.backward(x, dy).dx.data, dx.data, 'dx');
      expectExact((await layer.backwardAsync(x, dy)).dx.data, dx.data, 'dx async');
    });
  });

  it('a large copy shared by two threads gives the same bits', () => {
    const shape = [2, 120, 100, 48], x = new ck.Tensor(randomArray(2 * 120 * 100 * 48, 3), shape);
    const layer = new ck.ZeroPadding2D({ padding: [2, 3] });
    forEachThreadCount((threads) => expectExact(layer.forward(x).data, padRef(x.data, shape, [2, 2, 3, 3], NONE).data, `${threads} threads`));
  });

  it('the backend refuses params and arrays that do not fit, with an error (never a crash)', () => {
    const b = backend();
    const p = { n: 1, h: 4, w: 5, c: 3, pt: 1, pb: 0, pl: 0, pr: 2, ct: 0, cb: 1, cl: 2, cr: 0, oh: 4, ow: 5 };
    const op = b.createOperator({ op: 'pad2d', params: p });
    try {
      expect(op.reshape(p)).to.equal(4 * 5 * 3);
      expect(() => op.reshape({ ...p, oh: 5 })).to.throw(RangeError, /oh/);
      expect(() => op.reshape({ ...p, ct: 3, oh: 1 })).to.throw(RangeError, /leave at least one/);
      expect(() => op.reshape({ ...p, pl: -1 })).to.throw(RangeError, /pl/);
      op.reshape(p);
      expect(() => op.run(new Float32Array(4 * 5 * 3 - 1))).to.throw(RangeError, /x/);
    } finally {
      op.release();
    }
    const a = { n: 1, h: 4, w: 4, c: 2, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0, oh: 2, ow: 2, countIncludePad: false };
    expect(() => b.avgpool2dBackward(new Float32Array(7), a)).to.throw(RangeError, /dy/);
    expect(() => b.avgpool2dBackward(new Float32Array(8), { ...a, oh: 3 })).to.throw(RangeError, /oh/);
    expect(b.avgpool2dBackward(new Float32Array(8).fill(4), a)).to.deep.equal(new Float32Array(32).fill(1));
  });

  it('in a Sequential (one graph) with pooling: the bits of the layers one by one', async () => {
    const make = () => [new ck.ZeroPadding2D({ padding: 1 }), new ck.AveragePooling2D({ poolSize: 3, strides: 2 }), new ck.Cropping2D({ cropping: [[1, 0], [0, 1]] }), new ck.GlobalMaxPooling2D()];
    const x = new ck.Tensor(randomArray(2 * 9 * 8 * 5, 4), [2, 9, 8, 5]);
    let y = x;
    for (const l of make()) y = l.forward(y);
    const model = new ck.Sequential(make());
    expectExact(model.forward(x).data, y.data, 'forward');
    expectExact((await model.forwardAsync(x)).data, y.data, 'forwardAsync');
  });
});

describe('ZeroPadding2D and Cropping2D options', () => {
  it('take Keras\'s three forms and name a bad option', () => {
    expect(new ck.ZeroPadding2D().padding).to.deep.equal([1, 1, 1, 1]);
    expect(new ck.ZeroPadding2D({ padding: [1, 2] }).padding).to.deep.equal([1, 1, 2, 2]);
    expect(new ck.Cropping2D({ cropping: [[1, 2], [3, 4]] }).cropping).to.deep.equal([1, 2, 3, 4]);
    expect(() => new ck.ZeroPadding2D({ padding: -1 })).to.throw(RangeError, /padding/);
    expect(() => new ck.Cropping2D({ cropping: [[1, 2], [3]] as unknown as ck.Padding2D })).to.throw(TypeError, /cropping\[1\]/);
    expect(() => new ck.Cropping2D({ cropping: 2 }).outputShape([1, 4, 9, 1])).to.throw(RangeError, /at least one row/);
    expect(() => new ck.ZeroPadding2D({ dataFormat: 'channelsFirst' as 'channelsLast' })).to.throw(RangeError, /channels-last/);
  });
});

describe('ZeroPadding2D and Cropping2D against TensorFlow.js', () => {
  before(tfjsReady);

  forEachBackend('layers and the layers format', () => {
    it('forward and tf.grads equal tfjs-layers', () => {
      const x = new ck.Tensor(randomArray(2 * 7 * 6 * 3, 11), [2, 7, 6, 3]);
      const pairs: [ck.Layer, tfl.layers.Layer][] = [
        [new ck.ZeroPadding2D({ padding: [[1, 2], [0, 3]] }), tfl.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] })],
        [new ck.Cropping2D({ cropping: [[2, 1], [1, 0]] }), tfl.layers.cropping2D({ cropping: [[2, 1], [1, 0]] })],
      ];
      for (const [layer, peer] of pairs) {
        const y = layer.forward(x);
        expectMatches(y.data, tf.tidy(() => (peer.apply(tf.tensor(x.data, x.shape as number[])) as tf.Tensor).dataSync() as Float32Array), `${layer.constructor.name} forward`, 0);
        const dy = new ck.Tensor(randomArray(y.data.length, 12), y.shape);
        const g = tf.tidy(() => {
          const dyT = tf.tensor(dy.data, dy.shape as number[]);
          return tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(peer.apply(xt) as tf.Tensor, dyT)))(tf.tensor(x.data, x.shape as number[])).dataSync() as Float32Array;
        });
        expectMatches(layer.backward(x, dy).dx.data, g, `${layer.constructor.name} dx`, 0);
      }
    });

    it('models with ZeroPadding2D and Cropping2D go both ways (a ZeroPadding2D that no Conv2D valid takes stays a layer)', async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.zeroPadding2d({ inputShape: [6, 5, 2], padding: [1, 2] }),
          tfl.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
          tfl.layers.cropping2D({ cropping: [[1, 0], [2, 1]] }),
          tfl.layers.zeroPadding2d({ padding: 1 }),
          tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
          tfl.layers.zeroPadding2d({ padding: [[0, 1], [1, 0]] }),
        ],
      });
      const x = randomArray(2 * 6 * 5 * 2, 13), shape = [2, 6, 5, 2];
      const loaded = await loadSequential(await tfjsArtifacts(model));
      const y = loaded.forward(new ck.Tensor(x, shape)).data;
      expectMatches(y, tfjsPredict(model, x, shape), 'loaded');
      const peer = await tfjsLoad(loaded.toArtifacts({ inputShape: [6, 5, 2] }));
      expectMatches(y, tfjsPredict(peer, x, shape), 'saved');
      model.dispose();
      peer.dispose();
    });
  });
});
