// Reshape: the floats in the same order under a new shape (-1 inferred), no backend call; in a
// Sequential it costs nothing; Keras and tfjs models with a Reshape load and save.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

describe('Reshape', () => {
  it('keeps the floats in order under the target shape, inferring -1, and reshapes dy back', () => {
    const x = new ck.Tensor(randomArray(2 * 3 * 4 * 5, 1), [2, 3, 4, 5]);
    const layer = new ck.Reshape({ targetShape: [-1, 10] });
    const y = layer.forward(x);
    expect(y.shape).to.deep.equal([2, 6, 10]);
    expectExact(y.data, x.data, 'data');
    const g = layer.backward(x, new ck.Tensor(randomArray(120, 2), [2, 6, 10]));
    expect(g.dx.shape).to.deep.equal([2, 3, 4, 5]);
  });
  it('names what it refuses', () => {
    expect(() => new ck.Reshape({ targetShape: [-1, -1] })).to.throw(TypeError, /targetShape/);
    expect(() => new ck.Reshape({ targetShape: [0] })).to.throw(TypeError, /targetShape/);
    expect(() => new ck.Reshape({ targetShape: [7] }).outputShape([2, 3, 4])).to.throw(RangeError, /hold the 12 floats/);
    expect(() => new ck.Reshape({ targetShape: [5, -1] }).outputShape([2, 12])).to.throw(RangeError, /targetShape/);
  });

  forEachBackend('in a Sequential and in the model format', () => {
    before(tfjsReady);
    it('Conv2D, Reshape, UpSampling2D, Reshape, Dense equals the layers one by one', async () => {
      const layers = [
        new ck.Conv2D({ filters: 6, kernelSize: 3, padding: 'same', seed: 1 }), new ck.Reshape({ targetShape: [5, 10, 3] }),
        new ck.UpSampling2D({ size: [1, 2] }), new ck.Reshape({ targetShape: [-1] }), new ck.Dense({ units: 4, seed: 2 }),
      ];
      const x = new ck.Tensor(randomArray(2 * 5 * 5 * 6, 3), [2, 5, 5, 6]);
      const byHand = layers.reduce((t, l) => l.forward(t), x);
      const model = new ck.Sequential(layers);
      expectExact(model.forward(x).data, byHand.data, 'forward');
      expectExact((await model.forwardAsync(x)).data, byHand.data, 'forwardAsync');
    });
    it('a tfjs model with Reshape loads in convkit and convkit\'s saves load in tfjs', async () => {
      const model = tfl.sequential({ layers: [tfl.layers.reshape({ inputShape: [12], targetShape: [2, 2, 3] }), tfl.layers.upSampling2d({ size: [2, 2] }), tfl.layers.flatten(), tfl.layers.dense({ units: 3 })] });
      const x = randomArray(3 * 12, 4), expected = tfjsPredict(model, x, [3, 12]);
      const loaded = await loadSequential(await tfjsArtifacts(model));
      expectMatches(loaded.forward(new ck.Tensor(x, [3, 12])).data, expected, 'convkit');
      expectMatches(tfjsPredict(await tfjsLoad(loaded.toArtifacts()), x, [3, 12]), expected, 'tfjs');
      void tf;
    });
  });
});
