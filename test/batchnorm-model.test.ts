// BatchNormalization in the TensorFlow.js layers format, against TensorFlow.js: models with
// BatchNormalization that tfjs saves load in convkit (Conv2D, BatchNormalization, ReLU runs
// folded) and predict what tfjs predicts; convkit's saved models load in tfjs and predict the
// same; the config and weights are Keras's; options convkit cannot honour are refused by name.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import type { Step } from '../lib/backends/backend';
import { backend } from '../lib/backends/select';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

const { conv2d, dense, flatten, activation, reLU, batchNormalization, inputLayer } = tfl.layers;

/** The model's weights seeded in [-1, 1), variances in [0.5, 2.5). */
function seeded(model: tfl.Sequential, seed: number): tfl.Sequential {
  model.setWeights(model.weights.map((w, j) => {
    const values = randomArray(w.shape.reduce((a: number, b) => a * b!, 1), seed + j);
    return tf.tensor(w.name.includes('moving_variance') ? values.map((v) => 1.5 + v) : values, w.shape as number[]);
  }));
  return model;
}

const CASES = [
  {
    title: 'Conv2D (linear), BatchNormalization, ReLU, Conv2D, BatchNormalization, Activation relu, Flatten, Dense, BatchNormalization',
    inputShape: [7, 6, 3],
    layers: () => [
      inputLayer({ inputShape: [7, 6, 3] }), conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false }), batchNormalization(), reLU(),
      conv2d({ filters: 5, kernelSize: 2 }), batchNormalization({ momentum: 0.9, epsilon: 0.01 }), activation({ activation: 'relu' }),
      flatten(), dense({ units: 4 }), batchNormalization(),
    ],
  },
  {
    title: 'Conv2D relu then BatchNormalization (not folded), BatchNormalization without scale or center',
    inputShape: [5, 5, 2],
    layers: () => [
      conv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, activation: 'relu' }), batchNormalization({ axis: 3 }),
      batchNormalization({ scale: false, center: false }), flatten(), dense({ units: 3 }),
    ],
  },
];

describe('BatchNormalization in the model format', function () {
  before(tfjsReady);

  forEachBackend('against tfjs', () => {
    CASES.forEach((c, i) => {
      it(`tfjs saves, convkit loads and predicts the same: ${c.title}`, async () => {
        const model = seeded(tfl.sequential({ layers: c.layers() }), 10 * i);
        const shape = [3, ...c.inputShape], x = randomArray(shape.reduce((a, b) => a * b, 1), 5 + i);
        const loaded = await loadSequential(await tfjsArtifacts(model));
        expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, tfjsPredict(model, x, shape), 'forward');
        expectMatches((await loaded.forwardAsync(new ck.Tensor(x, shape))).data, tfjsPredict(model, x, shape), 'forwardAsync');
        // convkit saves it back; tfjs loads that and predicts the same.
        const again = await tfjsLoad(loaded.toArtifacts());
        expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, tfjsPredict(again, x, shape), 'tfjs from convkit');
        model.dispose();
        again.dispose();
      });
    });

    it('reads Conv2D, BatchNormalization, ReLU as a Conv2D then a BatchNormalization with relu, folded', async () => {
      const model = seeded(tfl.sequential({ layers: CASES[0].layers() }), 0);
      const loaded = await loadSequential(await tfjsArtifacts(model));
      expect(loaded.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D', 'BatchNormalization', 'Conv2D', 'BatchNormalization', 'Flatten', 'Dense', 'BatchNormalization']);
      const bn = loaded.layers[1] as ck.BatchNormalization;
      expect([bn.activation, (loaded.layers[3] as ck.BatchNormalization).epsilon, (loaded.layers[3] as ck.BatchNormalization).momentum]).to.deep.equal(['relu', 0.01, 0.9]);
      // The operators its graph is made of: each BatchNormalization is inside the layer before it.
      const b = backend(), create = b.createOperator, ops: string[] = [];
      b.createOperator = (step: Step) => (ops.push(step.op), create.call(b, step));
      try {
        loaded.forward(new ck.Tensor(randomArray(2 * 7 * 6 * 3, 9), [2, 7, 6, 3]));
      } finally {
        b.createOperator = create;
      }
      expect(ops).to.deep.equal(['conv2d', 'conv2d', 'dense']);
      model.dispose();
    });

    it('writes Keras\'s config keys and weights (gamma, beta, moving_mean, moving_variance), an activation as its own layer', () => {
      const bn = new ck.BatchNormalization({ momentum: 0.8, epsilon: 0.002, center: false, activation: 'relu' });
      const a = new ck.Sequential([new ck.Dense({ units: 3, seed: 1 }), bn]).toArtifacts({ inputShape: [4] });
      const layers = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
      expect(layers.map((l) => l.class_name)).to.deep.equal(['Dense', 'BatchNormalization', 'Activation']);
      expect(layers[1].config).to.include({ axis: -1, momentum: 0.8, epsilon: 0.002, center: false, scale: true });
      expect(layers[1].config.gamma_initializer).to.deep.equal({ class_name: 'Ones', config: {} });
      expect(a.weightSpecs.map((s) => s.name)).to.deep.equal(['dense_1/kernel', 'dense_1/bias', 'batch_normalization_1/gamma', 'batch_normalization_1/moving_mean', 'batch_normalization_1/moving_variance']);
    });

    it('refuses a channels-first axis and renorm, naming the option', async () => {
      const artifacts = (cfg: Record<string, unknown>) => ({
        modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'BatchNormalization', config: { name: 'bn', batch_input_shape: [null, 3, 4, 4], ...cfg } }] } },
        weightSpecs: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => ({ name: `bn/${k}`, shape: [4], dtype: 'float32' as const })),
        weightData: new Float32Array(16).fill(1).buffer,
      });
      let error: unknown = null;
      await loadSequential(artifacts({ axis: 1 })).catch((e) => (error = e));
      expect(String(error)).to.match(/BatchNormalization layer 'bn': axis 1 is not supported .*-1 or 3/);
      error = null;
      await loadSequential(artifacts({ renorm: true })).catch((e) => (error = e));
      expect(String(error)).to.match(/renorm true is not supported/);
      const ok = await loadSequential(artifacts({ axis: [3] }));
      expect(ok.forward(new ck.Tensor(new Float32Array(48), [1, 3, 4, 4])).shape).to.deep.equal([1, 3, 4, 4]);
    });
  });
});
