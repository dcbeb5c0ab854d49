// The TensorFlow.js layers format against TensorFlow.js itself (tfjs-layers 4, CPU backend):
// models built and saved by tfjs load in convkit and predict what tfjs predicts; models built
// and saved by convkit load in tfjs and predict what convkit predicts. Within 1e-5 * (1 + |y|).
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { activationNames } from '../lib/activation';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

interface TfjsCase {
  title: string;
  inputShape: number[];
  /** The first layer takes `input` ({ inputShape }) or the list starts with an InputLayer. */
  layers: (input: { inputShape: number[] }) => tfl.layers.Layer[];
}

const { conv2d, maxPooling2d, dense, flatten, dropout, activation, reLU, zeroPadding2d, inputLayer } = tfl.layers;

const TFJS_CASES: TfjsCase[] = [
  {
    title: 'Conv2D valid relu, MaxPooling2D, Flatten, Dense',
    inputShape: [9, 8, 3],
    layers: (input) => [conv2d({ ...input, filters: 5, kernelSize: 3, activation: 'relu' }), maxPooling2d({ poolSize: 2 }), flatten(), dense({ units: 4 })],
  },
  {
    title: 'Conv2D same stride 2 without bias, Activation relu, MaxPooling2D same 3/2, Dropout, Flatten, Dense, ReLU',
    inputShape: [11, 10, 4],
    layers: (input) => [
      inputLayer(input), conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), activation({ activation: 'relu' }),
      maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), dropout({ rate: 0.4 }), flatten(), dense({ units: 7 }), reLU(),
    ],
  },
  {
    title: 'Conv2D [3, 2] kernel, strides [2, 1], same; MaxPooling2D [2, 3] strides [1, 2]; Dense without bias',
    inputShape: [10, 9, 2],
    layers: (input) => [
      conv2d({ ...input, filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu' }),
      maxPooling2d({ poolSize: [2, 3], strides: [1, 2] }), flatten(), dense({ units: 5, useBias: false }),
    ],
  },
  {
    title: 'dilated Conv2D, 1x1 Conv2D, ReLU after relu (folded), Flatten, Dense',
    inputShape: [8, 8, 3],
    layers: (input) => [
      conv2d({ ...input, filters: 4, kernelSize: 3, dilationRate: 2, activation: 'relu' }), reLU(),
      conv2d({ filters: 2, kernelSize: 1 }), flatten(), dense({ units: 3, activation: 'relu' }),
    ],
  },
  {
    title: 'ZeroPadding2D twice then Conv2D valid, Dropout, Activation linear, Flatten, Dense',
    inputShape: [6, 7, 2],
    layers: (input) => [
      zeroPadding2d({ ...input, padding: [[1, 2], [0, 1]] }), zeroPadding2d({ padding: 1 }), conv2d({ filters: 3, kernelSize: 3 }),
      dropout({ rate: 0.1 }), activation({ activation: 'linear' }), flatten(), dense({ units: 3 }),
    ],
  },
  {
    title: 'Dense only: Dense relu, Dropout, Dense, Activation relu',
    inputShape: [20],
    layers: (input) => [inputLayer(input), dense({ units: 16, activation: 'relu' }), dropout({ rate: 0.5 }), dense({ units: 4 }), activation({ activation: 'relu' })],
  },
];

// Activations other engineers add: each gets a case when convkit has it.
const EXTRA_ACTIVATIONS = ['sigmoid', 'tanh', 'softmax'] as const;
for (const a of EXTRA_ACTIVATIONS) {
  if (!(activationNames as readonly string[]).includes(a)) continue;
  TFJS_CASES.push({
    title: `Conv2D ${a}, Flatten, Dense then Activation ${a}`,
    inputShape: [6, 6, 3],
    layers: (input) => [conv2d({ ...input, filters: 4, kernelSize: 3, activation: a }), flatten(), dense({ units: 5 }), activation({ activation: a })],
  });
}

/** The case's model in tfjs, its weights seeded uniform in [-1, 1). */
function tfjsModel(c: TfjsCase, seed: number): tfl.Sequential {
  const model = tfl.sequential({ layers: c.layers({ inputShape: c.inputShape }) });
  model.setWeights(model.weights.map((w, j) => tf.tensor(randomArray(w.shape.reduce((a: number, b) => a * b!, 1), seed + j), w.shape as number[])));
  return model;
}

/** Saved and read back as files: model.json and its weights, for tfjs through fromMemory. */
async function readSaved(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const shards = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const data = Buffer.concat(shards);
  return { modelTopology: json.modelTopology, weightSpecs: manifest.flatMap((g) => g.weights), weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length) };
}

interface CkCase {
  title: string;
  inputShape: number[];
  layers: (seed: number) => ck.Layer[];
}

const CK_CASES: CkCase[] = [
  {
    title: 'Conv2D with explicit pads (a ZeroPadding2D), MaxPool2D same, 1x1 Conv2D without bias, Dense on the image (a Flatten)',
    inputShape: [9, 7, 3],
    layers: (s) => [
      new ck.Conv2D({ filters: 5, kernelSize: 3, padding: [1, 2, 0, 1], activation: 'relu', kernel: randomArray(3 * 3 * 3 * 5, s), bias: randomArray(5, s + 1) }),
      new ck.MaxPool2D({ poolSize: 2, padding: 'same' }),
      new ck.Conv2D({ filters: 4, kernelSize: 1, useBias: false, kernel: randomArray(5 * 4, s + 2) }),
      new ck.Dense({ units: 6, activation: 'relu', kernel: randomArray(5 * 3 * 4 * 6, s + 3), bias: randomArray(6, s + 4) }),
    ],
  },
  {
    title: 'Conv2D same strides [2, 1] dilation-free, MaxPool2D [3, 2] valid, Flatten, Dense (weights made on save)',
    inputShape: [12, 10, 2],
    layers: () => [
      new ck.Conv2D({ filters: 3, kernelSize: [2, 3], strides: [2, 1], padding: 'same', seed: 7 }),
      new ck.MaxPool2D({ poolSize: [3, 2] }), new ck.Flatten(), new ck.Dense({ units: 4, seed: 8 }),
    ],
  },
  {
    title: 'dilated Conv2D valid, Dense without bias',
    inputShape: [9, 9, 2],
    layers: (s) => [
      new ck.Conv2D({ filters: 3, kernelSize: 2, dilationRate: [2, 3], kernel: randomArray(2 * 2 * 2 * 3, s), bias: randomArray(3, s + 1) }),
      new ck.Flatten(), new ck.Dense({ units: 2, useBias: false, kernel: randomArray(7 * 6 * 3 * 2, s + 2) }),
    ],
  },
];

describe('model format: TensorFlow.js interop', function () {
  before(tfjsReady);

  forEachBackend('models built and saved by tfjs load in convkit', () => {
    TFJS_CASES.forEach((c, i) => {
      it(c.title, async () => {
        const model = tfjsModel(c, 300 + 10 * i);
        const x = randomArray(3 * c.inputShape.reduce((a, b) => a * b, 1), 100 + i), shape = [3, ...c.inputShape];
        const expected = tfjsPredict(model, x, shape);
        const loaded = await loadSequential(await tfjsArtifacts(model));
        expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, expected, 'forward');
        expectMatches((await loaded.forwardAsync(new ck.Tensor(x, shape))).data, expected, 'forwardAsync');
        model.dispose();
      });
    });

    it('tfjs writes its weights as several buffers: loadModel takes weightData as an array too', async () => {
      const model = tfjsModel(TFJS_CASES[0], 1);
      const a = await tfjsArtifacts(model);
      const bytes = new Uint8Array(a.weightData as ArrayBuffer);
      const cut = [0, 7, 301, bytes.length]; // cuts through tensors
      const parts = cut.slice(1).map((end, j) => bytes.slice(cut[j], end).buffer);
      const x = randomArray(3 * 9 * 8 * 3, 5), shape = [3, 9, 8, 3];
      const loaded = await loadSequential({ ...a, weightData: parts });
      expectMatches(loaded.forward(new ck.Tensor(x, shape)).data, tfjsPredict(model, x, shape), 'forward');
      model.dispose();
    });
  });

  forEachBackend('models built and saved by convkit load in tfjs', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'convkit-tfjs-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    CK_CASES.forEach((c, i) => {
      it(c.title, async () => {
        const model = new ck.Sequential(c.layers(10 * i));
        const x = randomArray(2 * c.inputShape.reduce((a, b) => a * b, 1), 200 + i), shape = [2, ...c.inputShape];
        const artifacts = model.toArtifacts({ inputShape: c.inputShape });
        const y = model.forward(new ck.Tensor(x, shape)).data;
        const fromMemory = await tfjsLoad(artifacts);
        expectMatches(y, tfjsPredict(fromMemory, x, shape), 'tfjs from toArtifacts()');
        await model.save(join(dir, String(i)), { inputShape: c.inputShape });
        const fromFiles = await tfjsLoad(await readSaved(join(dir, String(i))));
        expectMatches(y, tfjsPredict(fromFiles, x, shape), 'tfjs from the saved files');
        // What tfjs writes back (its own names and configs) loads in convkit again.
        const again = await loadSequential(await tfjsArtifacts(fromFiles));
        expect(Array.from(again.forward(new ck.Tensor(x, shape)).data)).to.deep.equal(Array.from(y));
        fromMemory.dispose();
        fromFiles.dispose();
      });
    });

    it('the weight names and order are those tfjs gives the same model', async () => {
      const model = new ck.Sequential(CK_CASES[0].layers(0));
      const artifacts = model.toArtifacts({ inputShape: CK_CASES[0].inputShape });
      const names = artifacts.weightSpecs.map((s) => s.name);
      expect(names).to.deep.equal(['conv2d_1/kernel', 'conv2d_1/bias', 'conv2d_2/kernel', 'dense_1/kernel', 'dense_1/bias']);
      const peer = await tfjsLoad(artifacts);
      expect(peer.weights.map((w) => w.originalName)).to.deep.equal(names);
      expect(peer.layers.map((l) => l.getClassName())).to.deep.equal(['ZeroPadding2D', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'Flatten', 'Dense']);
      peer.dispose();
    });
  });
});
